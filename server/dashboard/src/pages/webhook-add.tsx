/** @jsxImportSource preact */
import { useState } from "preact/hooks";
import type { Webhook, WebhookEventType } from "../api/types.js";
import { CopyButton } from "../components/copy-button.js";
import { useStrings } from "../i18n/lang.js";
import { api } from "../state/session.js";
import { webhookErrorText } from "./webhook-text.js";

/** The events a webhook may subscribe to, in the server's order (features/webhooks/emit.ts). */
const EVENTS: readonly WebhookEventType[] = [
  "conversation.created",
  "message.created",
  "handoff.requested",
  "feedback.created",
  "lead.captured",
];

/**
 * Adds a webhook: its URL and the events it gets. The answer's signing secret is shown here once,
 * with a copy button and a warning; the list never shows it again.
 */
export function WebhookAdd({ siteId, onAdded }: { siteId: string; onAdded(webhook: Webhook): void }) {
  const s = useStrings();
  const t = s.webhooks;
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<Set<WebhookEventType>>(new Set(["conversation.created", "message.created"]));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);

  const flip = (e: WebhookEventType) =>
    setEvents((before) => {
      const next = new Set(before);
      if (next.has(e)) next.delete(e);
      else next.add(e);
      return next;
    });

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!url.trim()) return setError(t.urlRequired);
    if (!events.size) return setError(t.noEvents);
    setBusy(true);
    setError(null);
    try {
      const created = await api().addWebhook(siteId, { url: url.trim(), events: EVENTS.filter((e) => events.has(e)) });
      setSecret(created.secret);
      setUrl("");
      onAdded(created.webhook);
    } catch (err) {
      setError(webhookErrorText(s, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card stack" aria-labelledby="webhook-add">
      <h2 id="webhook-add">{t.add}</h2>
      {secret && (
        <div class="notice notice--warn stack webhook-secret" role="alert">
          <p>
            <strong>{t.secretTitle}</strong>
          </p>
          <p>
            <code class="webhook-secret__value">{secret}</code> <CopyButton text={secret} label={t.copySecret} />
          </p>
          <p>{t.secretWarning}</p>
          <div>
            <button type="button" class="button" onClick={() => setSecret(null)}>
              {t.secretDone}
            </button>
          </div>
        </div>
      )}
      <form class="stack" onSubmit={(e) => void submit(e)} noValidate>
        <div class="field">
          <label for="webhook-url">{t.url}</label>
          <input
            id="webhook-url"
            type="url"
            inputMode="url"
            autoComplete="off"
            spellcheck={false}
            value={url}
            aria-describedby="webhook-url-hint"
            onInput={(e) => setUrl((e.target as HTMLInputElement).value)}
          />
          <p id="webhook-url-hint" class="muted small">
            {t.urlHint}
          </p>
        </div>
        <fieldset class="field">
          <legend>{t.events}</legend>
          {EVENTS.map((e) => (
            <div key={e} class="check">
              <input type="checkbox" id={`webhook-event-${e}`} checked={events.has(e)} onChange={() => flip(e)} />
              <label for={`webhook-event-${e}`}>
                {t.eventNames[e]} <code class="muted small">{e}</code>
              </label>
            </div>
          ))}
        </fieldset>
        {error && (
          <p class="field__error" role="alert">
            {error}
          </p>
        )}
        <div>
          <button type="submit" class="button button--primary" disabled={busy}>
            {busy ? t.adding : t.addButton}
          </button>
        </div>
      </form>
    </section>
  );
}
