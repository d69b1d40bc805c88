/** @jsxImportSource preact */
import type { TargetedEvent } from "preact";
import { useState } from "preact/hooks";
import type { KnowledgeCreateInput } from "../api/types.js";
import { Field, controlProps, fieldErrorText } from "../components/field.js";
import { Notice } from "../components/states.js";
import { useSave } from "../components/use-save.js";
import { formatNumber, useStrings } from "../i18n/lang.js";
import { api } from "../state/session.js";
import {
  type FaqDraft,
  KNOWLEDGE_LIMITS,
  emptyFaq,
  emptyText,
  emptyUrl,
  faqEdit,
  faqOf,
  textOf,
  urlOf,
  validateFaq,
  validateText,
  validateUrl,
} from "../validation/knowledge-forms.js";
import type { FieldError } from "../validation/rules.js";
import type { AddProps } from "./knowledge-add.js";
import { knowledgeErrorText } from "./knowledge-text.js";

const value = (e: TargetedEvent<HTMLInputElement | HTMLTextAreaElement>) => e.currentTarget.value;

/**
 * What the three forms share: their own errors shown once a send was tried, the server's by field
 * (its issue paths are the draft's keys: `title`, `url`, `crawl.maxPages`, `pairs.0.q`), and the outcome.
 */
function useAddForm(siteId: string, onAdded: AddProps["onAdded"]) {
  const s = useStrings();
  const save = useSave();
  const [tried, setTried] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const [addedTitle, setAddedTitle] = useState("");

  const errorText = (own: Record<string, FieldError | undefined>, key: string): string | null =>
    (tried ? fieldErrorText(s, own[key]) : null) ?? save.fieldErrors[key] ?? null;

  const send = async (own: Record<string, FieldError | undefined>, body: () => KnowledgeCreateInput, reset: () => void) => {
    setFailure(null);
    if (Object.keys(own).length) {
      setTried(true);
      const first = document.querySelector<HTMLElement>("[data-add-form] [aria-invalid='true']");
      setTimeout(() => (document.querySelector<HTMLElement>("[data-add-form] [aria-invalid='true']") ?? first)?.focus(), 0);
      return;
    }
    const result = await save.run(() => api().addKnowledge(siteId, body()), {
      saved: (x) => x.saved,
      onSaved: (res) => {
        setAddedTitle(res.source.title);
        onAdded(res.sources);
        reset();
        setTried(false);
      },
      fieldOf: (path) => (path === "crawl.maxPages" ? "maxPages" : path),
    });
    if (!result.ok) setFailure(result.error);
  };
  /** "“Shipping” added." after a send, until the next edit */
  const added = save.notice?.kind === "ok" && addedTitle ? s.knowledge.added(addedTitle) : null;
  return { save, errorText, send, failure, added, s };
}

/** The add button and what came of the last send (the server's refusal in full, not only its code's sentence). */
function Outcome({ label, busy, notice, failure }: { label: string; busy: boolean; notice: string | null; failure: unknown }) {
  const s = useStrings();
  return (
    <div class="button-row">
      <button type="submit" class="button button--primary" disabled={busy}>
        {busy ? s.knowledge.adding : label}
      </button>
      <Notice text={failure ? knowledgeErrorText(s, failure) : notice} kind={failure ? "error" : "ok"} />
    </div>
  );
}

export function UrlForm({ siteId, onAdded }: AddProps) {
  const [draft, setDraft] = useState(emptyUrl);
  const { save, errorText, send, failure, added, s } = useAddForm(siteId, onAdded);
  const t = s.knowledge;
  const own = validateUrl(draft);
  const urlError = errorText(own, "url");
  const pagesError = errorText(own, "maxPages");
  const set = (change: Partial<typeof draft>, key: string) => {
    setDraft((d) => ({ ...d, ...change }));
    save.edited(key);
  };
  return (
    <form
      class="stack"
      data-add-form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void send(
          own,
          () => urlOf(draft),
          () => setDraft(emptyUrl()),
        );
      }}
    >
      <Field id="knowledge-url" label={t.url} hint={t.urlHint} error={urlError}>
        <input
          {...controlProps("knowledge-url", t.urlHint, urlError)}
          type="url"
          inputMode="url"
          value={draft.url}
          onInput={(e) => set({ url: value(e) }, "url")}
        />
      </Field>
      <div class="check">
        <input
          id="knowledge-whole-site"
          type="checkbox"
          checked={draft.wholeSite}
          aria-describedby="knowledge-whole-site-hint"
          onChange={(e) => set({ wholeSite: e.currentTarget.checked }, "maxPages")}
        />
        <label for="knowledge-whole-site">{t.wholeSite}</label>
        <p class="field__hint" id="knowledge-whole-site-hint">
          {t.wholeSiteHint}
        </p>
      </div>
      {draft.wholeSite && (
        <Field
          id="knowledge-max-pages"
          label={t.maxPages}
          hint={t.maxPagesHint(formatNumber(KNOWLEDGE_LIMITS.maxPages))}
          error={pagesError}
        >
          <input
            {...controlProps("knowledge-max-pages", true, pagesError)}
            type="number"
            inputMode="numeric"
            min={1}
            max={KNOWLEDGE_LIMITS.maxPages}
            value={draft.maxPages}
            onInput={(e) => set({ maxPages: value(e) }, "maxPages")}
          />
        </Field>
      )}
      <Outcome label={draft.wholeSite ? t.addSite : t.addPage} busy={save.busy} notice={added} failure={failure} />
    </form>
  );
}

export function TextForm({ siteId, onAdded }: AddProps) {
  const [draft, setDraft] = useState(emptyText);
  const { save, errorText, send, failure, added, s } = useAddForm(siteId, onAdded);
  const t = s.knowledge;
  const own = validateText(draft);
  const titleError = errorText(own, "title");
  const textError = errorText(own, "text");
  return (
    <form
      class="stack"
      data-add-form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void send(
          own,
          () => textOf(draft),
          () => setDraft(emptyText()),
        );
      }}
    >
      <Field
        id="knowledge-text-title"
        label={t.titleLabel}
        error={titleError}
        counter={s.settings.counter(draft.title.trim().length, KNOWLEDGE_LIMITS.title)}
      >
        <input
          {...controlProps("knowledge-text-title", null, titleError)}
          value={draft.title}
          onInput={(e) => {
            setDraft((d) => ({ ...d, title: value(e) }));
            save.edited("title");
          }}
        />
      </Field>
      <Field id="knowledge-text-body" label={t.textLabel} hint={t.textHint} error={textError}>
        <textarea
          {...controlProps("knowledge-text-body", t.textHint, textError)}
          rows={8}
          value={draft.text}
          onInput={(e) => {
            setDraft((d) => ({ ...d, text: value(e) }));
            save.edited("text");
          }}
        />
      </Field>
      <Outcome label={t.addText} busy={save.busy} notice={added} failure={failure} />
    </form>
  );
}

export function FaqForm({ siteId, onAdded }: AddProps) {
  const [draft, setDraft] = useState<FaqDraft>(emptyFaq);
  const { save, errorText, send, failure, added, s } = useAddForm(siteId, onAdded);
  const t = s.knowledge;
  const own = validateFaq(draft);
  const titleError = errorText(own, "title");
  const pairsError = errorText(own, "pairs");
  const edit = (next: FaqDraft, key: string) => {
    setDraft(next);
    save.edited(key);
  };
  const remove = (index: number) => {
    edit(faqEdit.removePair(draft, index), "pairs");
    // Focus goes to the pair that took its place, else to the last one.
    setTimeout(() => document.getElementById(`faq-q-${Math.min(index, Math.max(draft.pairs.length - 2, 0))}`)?.focus(), 0);
  };
  const add = () => {
    edit(faqEdit.addPair(draft), "pairs");
    setTimeout(() => document.getElementById(`faq-q-${draft.pairs.length}`)?.focus(), 0);
  };
  return (
    <form
      class="stack"
      data-add-form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void send(
          own,
          () => faqOf(draft),
          () => setDraft(emptyFaq()),
        );
      }}
    >
      <Field id="faq-title" label={t.titleLabel} hint={t.faqTitleHint} error={titleError}>
        <input
          {...controlProps("faq-title", t.faqTitleHint, titleError)}
          value={draft.title}
          onInput={(e) => edit(faqEdit.setTitle(draft, value(e)), "title")}
        />
      </Field>
      <ol class="faq-pairs">
        {draft.pairs.map((pair, i) => {
          const qError = errorText(own, `pairs.${i}.q`);
          const aError = errorText(own, `pairs.${i}.a`);
          return (
            <li key={i} class="faq-pair">
              <fieldset class="subfieldset">
                <legend>{t.faqPair(i + 1)}</legend>
                <Field id={`faq-q-${i}`} label={t.faqQuestion(i + 1)} error={qError}>
                  <input
                    {...controlProps(`faq-q-${i}`, null, qError)}
                    value={pair.q}
                    onInput={(e) => edit(faqEdit.setPair(draft, i, "q", value(e)), `pairs.${i}.q`)}
                  />
                </Field>
                <Field id={`faq-a-${i}`} label={t.faqAnswer(i + 1)} error={aError}>
                  <textarea
                    {...controlProps(`faq-a-${i}`, null, aError)}
                    rows={3}
                    value={pair.a}
                    onInput={(e) => edit(faqEdit.setPair(draft, i, "a", value(e)), `pairs.${i}.a`)}
                  />
                </Field>
                <button type="button" class="button button--quiet" onClick={() => remove(i)}>
                  {t.removePair(i + 1)}
                </button>
              </fieldset>
            </li>
          );
        })}
      </ol>
      {pairsError && <p class="field__error">{pairsError === fieldErrorText(s, { code: "required" }) ? t.pairsRequired : pairsError}</p>}
      <div>
        <button type="button" class="button" onClick={add} disabled={draft.pairs.length >= KNOWLEDGE_LIMITS.pairs}>
          + {t.addPair}
        </button>
      </div>
      <Outcome label={t.addFaq} busy={save.busy} notice={added} failure={failure} />
    </form>
  );
}
