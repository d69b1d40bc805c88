/** @jsxImportSource preact */
import type { TargetedEvent } from "preact";
import { useRef } from "preact/hooks";
import type { Lang } from "../api/types.js";
import { Field, controlProps } from "../components/field.js";
import { Link } from "../components/link.js";
import { useStrings } from "../i18n/lang.js";
import { BOT_LANGUAGES, BOT_LIMITS, type BotDraft, type BotField, MODELS } from "../validation/bot-form.js";
import { isColor } from "../validation/rules.js";
import { BailianAppTest } from "./bailian-app-test.js";

interface BotFieldsProps {
  draft: BotDraft;
  errorOf(key: string): string | null;
  change<K extends BotField>(field: K, value: BotDraft[K]): void;
  touch(key: string): void;
  /** what the colour picker shows while the typed colour is not valid */
  savedColor: string;
  siteId: string;
  /** the application id as saved: the test asks the saved application */
  savedAppId: string | null;
}

const KNOWLEDGE_MODES = ["off", "prefer", "only"] as const;

const id = (key: string) => `bot-${key.replace(".", "-")}`;
const value = (e: TargetedEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) => e.currentTarget.value;

/** The bot settings' controls, in two groups: how the bot looks, and how it answers. */
export function BotFields({ draft, errorOf, change, touch, savedColor, siteId, savedAppId }: BotFieldsProps) {
  const s = useStrings();
  const t = s.settings;
  const addButton = useRef<HTMLButtonElement>(null);
  const questions = draft.suggestedQuestions;

  const text = (
    field: "displayName" | "welcomeMessage" | "systemPrompt" | "avatarUrl" | "contactText" | "bailianAppId" | "bailianWorkspaceId",
    label: string,
    hint: string,
    opts: { max?: number; area?: boolean; rows?: number; type?: "text" | "url"; mono?: boolean } = {},
  ) => {
    const error = errorOf(field);
    const props = {
      ...controlProps(id(field), hint, error),
      value: draft[field],
      onInput: (e: TargetedEvent<HTMLInputElement | HTMLTextAreaElement>) => change(field, value(e)),
      onBlur: () => touch(field),
    };
    return (
      <Field
        id={id(field)}
        label={label}
        hint={hint}
        error={error}
        counter={opts.max ? t.counter(draft[field].trim().length, opts.max) : undefined}
      >
        {opts.area ? (
          <textarea {...props} rows={opts.rows ?? 3} />
        ) : opts.type === "url" ? (
          <input {...props} type="url" />
        ) : (
          <input {...props} type="text" class={opts.mono ? "mono" : undefined} spellcheck={opts.mono ? false : undefined} />
        )}
      </Field>
    );
  };

  const setQuestion = (index: number, next: string) =>
    change(
      "suggestedQuestions",
      questions.map((q, i) => (i === index ? next : q)),
    );
  const addQuestion = () => {
    change("suggestedQuestions", [...questions, ""]);
    setTimeout(() => document.getElementById(id(`suggestedQuestions.${questions.length}`))?.focus(), 0);
  };
  const removeQuestion = (index: number) => {
    change(
      "suggestedQuestions",
      questions.filter((_, i) => i !== index),
    );
    // Focus moves to the question that took its place, else to "Add".
    setTimeout(
      () => (document.getElementById(id(`suggestedQuestions.${Math.min(index, questions.length - 2)}`)) ?? addButton.current)?.focus(),
      0,
    );
  };

  const colorError = errorOf("primaryColor");
  const temperatureError = errorOf("temperature");
  const tokensError = errorOf("maxOutputTokens");
  const listError = errorOf("suggestedQuestions");

  return (
    <>
      <fieldset class="card fieldset">
        <legend>{t.appearance}</legend>
        {text("displayName", t.displayName, t.displayNameHint, { max: BOT_LIMITS.displayName })}
        {text("avatarUrl", t.avatarUrl, t.avatarHint, { type: "url" })}
        <Field id={id("primaryColor")} label={t.primaryColor} hint={t.primaryColorHint} error={colorError}>
          <div class="color-input">
            <input
              type="color"
              aria-label={t.colorPicker}
              value={isColor(draft.primaryColor) ? draft.primaryColor.trim().toLowerCase() : savedColor}
              onInput={(e) => change("primaryColor", value(e))}
            />
            <input
              {...controlProps(id("primaryColor"), t.primaryColorHint, colorError)}
              class="mono"
              value={draft.primaryColor}
              maxLength={7}
              spellcheck={false}
              onInput={(e) => change("primaryColor", value(e))}
              onBlur={() => touch("primaryColor")}
            />
          </div>
        </Field>
        {text("welcomeMessage", t.welcomeMessage, t.welcomeHint, { max: BOT_LIMITS.welcomeMessage, area: true, rows: 3 })}
        <fieldset class="subfieldset" aria-describedby={`${id("suggestedQuestions")}-hint`}>
          <legend>{t.suggestedQuestions}</legend>
          <p class="field__hint" id={`${id("suggestedQuestions")}-hint`}>
            {t.suggestedHint}
          </p>
          <ol class="question-list">
            {questions.map((q, i) => {
              const key = `suggestedQuestions.${i}`;
              const error = errorOf(key);
              return (
                <li key={i} class="question-list__item">
                  <Field id={id(key)} label={t.question(i + 1)} error={error} counter={t.counter(q.trim().length, BOT_LIMITS.question)}>
                    <div class="with-button">
                      <input
                        {...controlProps(id(key), null, error)}
                        value={q}
                        onInput={(e) => setQuestion(i, value(e))}
                        onBlur={() => touch(key)}
                      />
                      <button type="button" class="button button--quiet" onClick={() => removeQuestion(i)}>
                        {/* The name is the words, not the sign: what is read out and what voice control matches. */}
                        <span aria-hidden="true">✕</span>
                        <span class="visually-hidden">{t.removeQuestion(i + 1)}</span>
                      </button>
                    </div>
                  </Field>
                </li>
              );
            })}
          </ol>
          {listError && <p class="field__error">{listError}</p>}
          <button
            type="button"
            class="button"
            ref={addButton}
            onClick={addQuestion}
            disabled={questions.length >= BOT_LIMITS.suggestedQuestions}
          >
            + {t.addQuestion}
          </button>
        </fieldset>
        <Field id={id("language")} label={t.language} hint={t.languageHint}>
          <select
            {...controlProps(id("language"), t.languageHint, null)}
            value={draft.language}
            onChange={(e) => change("language", value(e) as Lang)}
          >
            {BOT_LANGUAGES.map((l) => (
              <option key={l} value={l}>
                {t.langNames[l]}
              </option>
            ))}
          </select>
        </Field>
      </fieldset>

      <fieldset class="card fieldset">
        <legend>{t.behaviour}</legend>
        {text("systemPrompt", t.systemPrompt, t.systemPromptHint, { max: BOT_LIMITS.systemPrompt, area: true, rows: 6 })}
        <Field id={id("model")} label={t.model} error={errorOf("model")}>
          <select {...controlProps(id("model"), null, errorOf("model"))} value={draft.model} onChange={(e) => change("model", value(e))}>
            {MODELS.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </Field>
        <div class="field-pair">
          <Field id={id("temperature")} label={t.temperature} hint={t.temperatureHint} error={temperatureError}>
            <input
              {...controlProps(id("temperature"), t.temperatureHint, temperatureError)}
              type="number"
              inputMode="decimal"
              min={0}
              max={1.99}
              step={0.1}
              value={draft.temperature}
              onInput={(e) => change("temperature", value(e))}
              onBlur={() => touch("temperature")}
            />
          </Field>
          <Field id={id("maxOutputTokens")} label={t.maxOutputTokens} hint={t.maxOutputTokensHint} error={tokensError}>
            <input
              {...controlProps(id("maxOutputTokens"), t.maxOutputTokensHint, tokensError)}
              type="number"
              inputMode="numeric"
              min={1}
              max={BOT_LIMITS.maxOutputTokens}
              step={1}
              value={draft.maxOutputTokens}
              onInput={(e) => change("maxOutputTokens", value(e))}
              onBlur={() => touch("maxOutputTokens")}
            />
          </Field>
        </div>
      </fieldset>

      <fieldset class="card fieldset">
        <legend>{t.knowledgeGroup}</legend>
        <fieldset class="subfieldset">
          <legend>{t.knowledge}</legend>
          {KNOWLEDGE_MODES.map((mode) => (
            <div class="check" key={mode}>
              <input
                type="radio"
                id={id(`knowledge-${mode}`)}
                name={id("knowledge")}
                value={mode}
                checked={draft.knowledge === mode}
                aria-describedby={`${id(`knowledge-${mode}`)}-hint`}
                onChange={() => change("knowledge", mode)}
              />
              <label for={id(`knowledge-${mode}`)}>{t.knowledgeModes[mode]}</label>
              <p class="field__hint" id={`${id(`knowledge-${mode}`)}-hint`}>
                {t.knowledgeHints[mode]}
              </p>
            </div>
          ))}
          <p class="small">
            <Link to={`/sites/${siteId}/knowledge`}>{t.knowledgeLink}</Link>
          </p>
        </fieldset>
        {text("contactText", t.contactText, t.contactTextHint, { max: BOT_LIMITS.contactText, area: true, rows: 2 })}
        {text("bailianAppId", t.bailianAppId, t.bailianAppIdHint, { mono: true })}
        {text("bailianWorkspaceId", t.bailianWorkspaceId, t.bailianWorkspaceIdHint, { mono: true })}
        <p class="small">
          <Link to={`/sites/${siteId}/key`}>{t.bailianKeyLink}</Link>
        </p>
        <BailianAppTest siteId={siteId} savedAppId={savedAppId} />
      </fieldset>
    </>
  );
}
