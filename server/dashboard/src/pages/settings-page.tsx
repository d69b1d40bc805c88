/** @jsxImportSource preact */
import { useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { fieldErrorText } from "../components/field.js";
import { Notice } from "../components/states.js";
import { usePageTitle } from "../components/use-page-title.js";
import { useSave } from "../components/use-save.js";
import { useStrings } from "../i18n/lang.js";
import { PreviewFrame } from "../preview/preview-frame.js";
import { setLeaveGuard } from "../state/router.js";
import { api } from "../state/session.js";
import type { FieldError } from "../validation/rules.js";
import { type BotDraft, type BotField, BOT_FIELDS, botOf, draftOf, isDirty, previewConfigOf, validateBot } from "../validation/bot-form.js";
import {
  type LimitKey,
  type LimitsDraft,
  LIMIT_KEYS,
  limitsDirty,
  limitsDraftOf,
  limitsOf,
  validateLimits,
} from "../validation/limits-form.js";
import {
  type HandoffDraft,
  handoffControlId,
  handoffDirty,
  handoffDraftOf,
  handoffOf,
  handoffSettingsOf,
  validateHandoff,
} from "../validation/handoff-form.js";
import {
  MEDIA_FIELDS,
  type MediaField,
  type MediaSettings,
  mediaChanges,
  mediaControlId,
  mediaDirty,
  mediaOf,
} from "../validation/media-form.js";
import { BotFields } from "./bot-fields.js";
import { HandoffFields } from "./handoff-fields.js";
import { MediaFields } from "./media-fields.js";
import { LimitsFields } from "./limits-fields.js";
import { ResetNotice } from "./site-notices.js";
import { ApiError } from "../api/api-client.js";
import { formatNumber } from "../i18n/lang.js";
import { myPlan } from "../state/plan.js";
import { ceilingOf, planRefusalText } from "../validation/plan-ceilings.js";
import type { SitePageProps } from "./site-page.js";

/** Every bot setting and the site's limits, checked as typed, saved with one PATCH; the live preview beside it. */
export function SettingsPage({ site, onSiteChange }: SitePageProps) {
  const s = useStrings();
  const heading = usePageTitle(`${s.settings.title} · ${site.name}`);
  const [draft, setDraft] = useState<BotDraft>(() => draftOf(site.bot));
  const [limits, setLimits] = useState<LimitsDraft>(() => limitsDraftOf(site.limits));
  const [handoff, setHandoff] = useState<HandoffDraft>(() => handoffDraftOf(handoffOf(site)));
  const [media, setMedia] = useState<MediaSettings>(() => mediaOf(site));
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [showAll, setShowAll] = useState(false);
  const save = useSave();
  const submitted = useRef<string | null>(null);

  const errors: Partial<Record<string, FieldError>> = useMemo(() => {
    const own: Partial<Record<string, FieldError>> = { ...validateBot(draft) };
    for (const [key, error] of Object.entries(validateLimits(limits))) own[`limits.${key}`] = error;
    return own;
  }, [draft, limits]);
  const handoffErrors = useMemo(() => validateHandoff(handoff), [handoff]);
  const handoffChanged = handoffDirty(handoff, handoffOf(site));
  const botDirty = isDirty(draft, site.bot);
  const limitsChanged = limitsDirty(limits, site.limits);
  const mediaChanged = mediaDirty(media, mediaOf(site));
  const dirty = botDirty || limitsChanged || handoffChanged || mediaChanged;
  // Stored settings the server reset to their defaults: the form shows the defaults, and the next save writes them.
  const resetFields = site.resetFields;
  const wasReset = (part: string) => resetFields.some((f) => f.field === part || f.field.startsWith(`${part}.`));
  const toRepair = resetFields.length > 0;
  const preview = useMemo(() => previewConfigOf(site.siteKey, draft, site.bot), [draft, site.bot, site.siteKey]);

  // Unsaved work is not lost silently: closing or reloading the tab, or moving elsewhere in the app, asks first.
  // (A layout effect: in place from the render that shows the change, before the owner can click away.)
  useLayoutEffect(() => {
    if (!dirty) return;
    const onBeforeUnload = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", onBeforeUnload);
    setLeaveGuard(() => window.confirm(s.settings.leaveConfirm));
    return () => {
      window.removeEventListener("beforeunload", onBeforeUnload);
      setLeaveGuard(null);
    };
  }, [dirty, s]);

  /** The sentence beside a field: once it was left (or a save was tried), and the server's if it had one. */
  const errorOf = (key: string): string | null => {
    const handoffCode = key.startsWith("handoff.") ? handoffErrors[key.slice(8)] : undefined;
    const own = handoffCode ? s.handoff.errors[handoffCode] : fieldErrorText(s, errors[key]);
    if (own && (showAll || touched.has(key))) return own;
    const server = save.fieldErrors[key];
    // Above the plan: said in the owner's language, with the ceiling.
    const plan = myPlan.value?.plan;
    if (server && planRefused && plan) return planRefusalText(s, plan, key, !site.apiKey.set) ?? server;
    return server ?? null;
  };
  const [planRefused, setPlanRefused] = useState(false);
  /** "Your plan allows at most N" under a limit field, when the plan has a ceiling for it. */
  const ceilingHint = (key: string): string | null => {
    const plan = myPlan.value?.plan;
    const ceiling = plan ? ceilingOf(plan, key, !site.apiKey.set) : null;
    return ceiling === null ? null : s.plan.ceiling(formatNumber(ceiling));
  };

  const change = <K extends BotField>(field: K, value: BotDraft[K]) => {
    setDraft((d) => ({ ...d, [field]: value }));
    save.edited(field);
  };
  const changeLimit = (key: LimitKey, value: string) => {
    setLimits((l) => ({ ...l, [key]: value }));
    save.edited(`limits.${key}`);
  };
  const changeHandoff = (next: HandoffDraft, key: string) => {
    setHandoff(next);
    save.edited(`handoff.${key}`);
  };
  const changeMedia = (next: MediaSettings, key: MediaField) => {
    setMedia(next);
    save.edited(`media.${key}`);
  };
  const touch = (key: string) => setTouched((t) => (t.has(key) ? t : new Set(t).add(key)));

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const invalid = [...Object.keys(errors), ...Object.keys(handoffErrors).map((key) => `handoff.${key}`)];
    if (invalid.length) {
      setShowAll(true);
      save.fail((x) => x.settings.fixErrors);
      focusField(firstInOrder(invalid));
      return;
    }
    submitted.current = JSON.stringify(draft);
    const sentLimits = JSON.stringify(limits);
    const sentHandoff = JSON.stringify(handoff);
    const sentMedia = JSON.stringify(media);
    const result = await save.run(
      // Only what changed (or was reset): an unchanged part is not rewritten.
      () =>
        api().patchSite(site.id, {
          ...(botDirty || wasReset("bot") ? { bot: botOf(draft) } : {}),
          ...(limitsChanged || wasReset("limits") ? { limits: limitsOf(limits) } : {}),
          ...(handoffChanged || wasReset("handoff") ? { handoff: handoffSettingsOf(handoff) } : {}),
          // Pictures and voice: only the fields changed (the server merges them); all of them to rewrite a reset one.
          ...(wasReset("media") ? { media } : mediaChanged ? { media: mediaChanges(media, mediaOf(site)) } : {}),
          ...(wasReset("name") ? { name: site.name } : {}),
          ...(wasReset("allowedOrigins") ? { allowedOrigins: site.allowedOrigins } : {}),
        }),
      {
        saved: (x) => x.settings.savedNow,
        onSaved: ({ site: saved }) => {
          onSiteChange(saved);
          // What the server stored (trimmed) becomes the form, unless the owner typed on meanwhile.
          setDraft((d) => (JSON.stringify(d) === submitted.current ? draftOf(saved.bot) : d));
          setLimits((l) => (JSON.stringify(l) === sentLimits ? limitsDraftOf(saved.limits) : l));
          setHandoff((h) => (JSON.stringify(h) === sentHandoff ? handoffDraftOf(handoffOf(saved)) : h));
          setMedia((m) => (JSON.stringify(m) === sentMedia ? mediaOf(saved) : m));
          setShowAll(false);
          setTouched(new Set());
        },
        // The bot's fields by their own name, the limits as `limits.<key>`.
        fieldOf: (path) =>
          path.startsWith("bot.")
            ? path.slice(4)
            : path.startsWith("limits.")
              ? path
              : path === "handoff.waitSeconds"
                ? "handoff.wait"
                : path.startsWith("handoff.") || path.startsWith("media.")
                  ? path
                  : null,
      },
    );
    setPlanRefused(!result.ok && result.error instanceof ApiError && result.error.code === "above_plan_limit");
    if (!result.ok && Object.keys(result.fields).length) focusField(firstInOrder(Object.keys(result.fields)));
  };

  const onDiscard = () => {
    setDraft(draftOf(site.bot));
    setLimits(limitsDraftOf(site.limits));
    setHandoff(handoffDraftOf(handoffOf(site)));
    setMedia(mediaOf(site));
    setTouched(new Set());
    setShowAll(false);
    save.clear();
  };

  return (
    <div class="settings-layout">
      <form class="settings-form" onSubmit={onSubmit} noValidate>
        <h1 ref={heading} tabIndex={-1}>
          {s.settings.title}
        </h1>
        <ResetNotice fields={resetFields} />
        <BotFields
          draft={draft}
          errorOf={errorOf}
          change={change}
          touch={touch}
          savedColor={site.bot.primaryColor}
          siteId={site.id}
          savedAppId={site.bot.bailianAppId}
        />
        <LimitsFields draft={limits} errorOf={errorOf} hintOf={ceilingHint} change={changeLimit} touch={touch} />
        <HandoffFields draft={handoff} errorOf={errorOf} change={changeHandoff} touch={touch} />
        <MediaFields draft={media} errorOf={errorOf} change={changeMedia} />
        <div class={dirty || toRepair || save.notice ? "save-bar save-bar--sticky" : "save-bar"}>
          <p class={dirty || toRepair ? "save-bar__state save-bar__state--dirty" : "save-bar__state"}>
            {dirty ? s.settings.unsaved : toRepair ? s.settings.resetPending : s.settings.allSaved}
          </p>
          <Notice text={save.notice?.text(s) ?? null} kind={save.notice?.kind} />
          <div class="button-row">
            <button type="button" class="button" onClick={onDiscard} disabled={!dirty || save.busy}>
              {s.settings.discard}
            </button>
            <button type="submit" class="button button--primary" disabled={save.busy || !(dirty || toRepair)}>
              {save.busy ? s.saving : s.settings.saveChanges}
            </button>
          </div>
        </div>
      </form>
      <aside class="preview-panel" aria-labelledby="preview-title">
        <h2 id="preview-title">{s.preview.title}</h2>
        <p class="muted">{s.preview.hint}</p>
        <PreviewFrame config={preview} />
      </aside>
    </div>
  );
}

/** The first of these error keys in the form's order (the bot's fields, then the limits). */
function firstInOrder(keys: string[]): string {
  const rank = (key: string) => {
    const [head, tail] = key.split(".");
    if (head === "limits") return 10_000 + LIMIT_KEYS.indexOf(tail as LimitKey);
    if (head === "handoff") return 20_000 + (key.includes("officeHours") ? 1 + Number(key.split(".")[2]) : key.endsWith("wait") ? 999 : 0);
    if (head === "media") return 30_000 + MEDIA_FIELDS.indexOf(tail as MediaField);
    return BOT_FIELDS.indexOf(head as BotField) * 100 + Number(tail ?? 0);
  };
  return [...keys].sort((a, b) => rank(a) - rank(b))[0];
}

function focusField(key: string) {
  const id = key.startsWith("limits.")
    ? `limit-${key.slice(7)}`
    : key.startsWith("handoff.")
      ? handoffControlId(key.slice(8))
      : key.startsWith("media.")
        ? mediaControlId(key.slice(6))
        : `bot-${key.replace(".", "-")}`;
  // After the render that shows the errors.
  setTimeout(() => document.getElementById(id)?.focus(), 0);
}
