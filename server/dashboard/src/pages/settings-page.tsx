/** @jsxImportSource preact */
import { useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { ApiError } from "../api/api-client.js";
import { fieldErrorText } from "../components/field.js";
import { Notice } from "../components/states.js";
import { usePageTitle } from "../components/use-page-title.js";
import { type Msg, errorMsg, useStrings } from "../i18n/lang.js";
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
import { BotFields } from "./bot-fields.js";
import { LimitsFields } from "./limits-fields.js";
import type { SitePageProps } from "./site-page.js";

/** Every bot setting and the site's limits, checked as typed, saved with one PATCH; the live preview beside it. */
export function SettingsPage({ site, onSiteChange }: SitePageProps) {
  const s = useStrings();
  const heading = usePageTitle(`${s.settings.title} · ${site.name}`);
  const [draft, setDraft] = useState<BotDraft>(() => draftOf(site.bot));
  const [limits, setLimits] = useState<LimitsDraft>(() => limitsDraftOf(site.limits));
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [showAll, setShowAll] = useState(false);
  const [serverErrors, setServerErrors] = useState<Partial<Record<string, string>>>({});
  const [saving, setSaving] = useState(false);
  const [notice, setNotice] = useState<{ text: Msg; kind: "ok" | "error" } | null>(null);
  const submitted = useRef<string | null>(null);

  const errors: Partial<Record<string, FieldError>> = useMemo(() => {
    const own: Partial<Record<string, FieldError>> = { ...validateBot(draft) };
    for (const [key, error] of Object.entries(validateLimits(limits))) own[`limits.${key}`] = error;
    return own;
  }, [draft, limits]);
  const botDirty = isDirty(draft, site.bot);
  const limitsChanged = limitsDirty(limits, site.limits);
  const dirty = botDirty || limitsChanged;
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
    const own = fieldErrorText(s, errors[key]);
    if (own && (showAll || touched.has(key))) return own;
    return serverErrors[key] ?? null;
  };

  const change = <K extends BotField>(field: K, value: BotDraft[K]) => {
    setDraft((d) => ({ ...d, [field]: value }));
    setNotice(null);
    setServerErrors((e) => {
      const { [field]: _gone, ...rest } = e;
      return rest;
    });
  };
  const changeLimit = (key: LimitKey, value: string) => {
    setLimits((l) => ({ ...l, [key]: value }));
    setNotice(null);
    setServerErrors((e) => {
      const { [`limits.${key}`]: _gone, ...rest } = e;
      return rest;
    });
  };
  const touch = (key: string) => setTouched((t) => (t.has(key) ? t : new Set(t).add(key)));

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const invalid = Object.keys(errors);
    if (invalid.length) {
      setShowAll(true);
      setNotice({ text: (x) => x.settings.fixErrors, kind: "error" });
      focusField(firstInOrder(invalid));
      return;
    }
    setSaving(true);
    setNotice(null);
    submitted.current = JSON.stringify(draft);
    const sentLimits = JSON.stringify(limits);
    try {
      // Only what changed: an unchanged part is not rewritten.
      const { site: saved } = await api().patchSite(site.id, {
        ...(botDirty ? { bot: botOf(draft) } : {}),
        ...(limitsChanged ? { limits: limitsOf(limits) } : {}),
      });
      onSiteChange(saved);
      // What the server stored (trimmed) becomes the form, unless the owner typed on meanwhile.
      setDraft((d) => (JSON.stringify(d) === submitted.current ? draftOf(saved.bot) : d));
      setLimits((l) => (JSON.stringify(l) === sentLimits ? limitsDraftOf(saved.limits) : l));
      setShowAll(false);
      setTouched(new Set());
      setServerErrors({});
      setNotice({ text: (x) => x.settings.savedNow, kind: "ok" });
    } catch (err) {
      const byField: Record<string, string> = {};
      if (err instanceof ApiError) {
        for (const issue of err.issues) {
          if (issue.path.startsWith("bot.")) byField[issue.path.slice(4)] = issue.message;
          else if (issue.path.startsWith("limits.")) byField[issue.path] = issue.message;
        }
      }
      setServerErrors(byField);
      setNotice({ text: errorMsg(err), kind: "error" });
      if (Object.keys(byField).length) focusField(firstInOrder(Object.keys(byField)));
    } finally {
      setSaving(false);
    }
  };

  const onDiscard = () => {
    setDraft(draftOf(site.bot));
    setLimits(limitsDraftOf(site.limits));
    setTouched(new Set());
    setShowAll(false);
    setServerErrors({});
    setNotice(null);
  };

  return (
    <div class="settings-layout">
      <form class="settings-form" onSubmit={onSubmit} noValidate>
        <h1 ref={heading} tabIndex={-1}>
          {s.settings.title}
        </h1>
        <BotFields draft={draft} errorOf={errorOf} change={change} touch={touch} savedColor={site.bot.primaryColor} />
        <LimitsFields draft={limits} errorOf={errorOf} change={changeLimit} touch={touch} />
        <div class={dirty || notice ? "save-bar save-bar--sticky" : "save-bar"}>
          <p class={dirty ? "save-bar__state save-bar__state--dirty" : "save-bar__state"}>
            {dirty ? s.settings.unsaved : s.settings.allSaved}
          </p>
          <Notice text={notice?.text(s) ?? null} kind={notice?.kind} />
          <div class="button-row">
            <button type="button" class="button" onClick={onDiscard} disabled={!dirty || saving}>
              {s.settings.discard}
            </button>
            <button type="submit" class="button button--primary" disabled={saving || !dirty}>
              {saving ? s.saving : s.settings.saveChanges}
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
    return BOT_FIELDS.indexOf(head as BotField) * 100 + Number(tail ?? 0);
  };
  return [...keys].sort((a, b) => rank(a) - rank(b))[0];
}

function focusField(key: string) {
  const id = key.startsWith("limits.") ? `limit-${key.slice(7)}` : `bot-${key.replace(".", "-")}`;
  // After the render that shows the errors.
  setTimeout(() => document.getElementById(id)?.focus(), 0);
}
