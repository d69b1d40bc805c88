/** @jsxImportSource preact */
import { useRef, useState } from "preact/hooks";
import type { Webhook, WebhookDelivery } from "../api/types.js";
import { ConfirmDialog } from "../components/confirm-dialog.js";
import { Empty, ErrorState, Loading, Notice } from "../components/states.js";
import { usePageTitle } from "../components/use-page-title.js";
import { useResource } from "../components/use-resource.js";
import { useStrings } from "../i18n/lang.js";
import type { Strings } from "../i18n/strings.js";
import { api } from "../state/session.js";
import type { SitePageProps } from "./site-page.js";
import { WebhookAdd } from "./webhook-add.js";
import { WebhookDeliveries } from "./webhook-deliveries.js";
import { webhookErrorText } from "./webhook-text.js";

/** What "Send test event" tells: delivered, or why not yet (the first attempt's error), or queued. */
function testResult(s: Strings, delivery: WebhookDelivery): { text: string; kind: "ok" | "error" } {
  const t = s.webhooks;
  const first = delivery.attempts.at(-1);
  if (delivery.state === "delivered" && first) return { text: t.testDelivered(String(first.statusCode)), kind: "ok" };
  if (first) return { text: t.testPending(first.error ?? ""), kind: "error" };
  return { text: t.testQueued, kind: "ok" };
}

/**
 * The site's webhooks: each with its URL and events, on/off, a test event, its delivery log and
 * delete; adding one shows its signing secret once. URLs and errors are shown as text only.
 */
export function WebhooksPage({ site }: SitePageProps) {
  const s = useStrings();
  const t = s.webhooks;
  const heading = usePageTitle(`${t.title} · ${site.name}`);
  const list = useResource(
    () =>
      api()
        .webhooks(site.id)
        .then((r) => r.webhooks),
    [site.id],
  );
  const [notice, setNotice] = useState<{ text: string; kind: "ok" | "error" } | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [open, setOpen] = useState<Set<string>>(new Set());
  // Bumped by a test event, so an open log reads itself again.
  const [logVersion, setLogVersion] = useState(0);
  const [toDelete, setToDelete] = useState<Webhook | null>(null);
  const [deleteError, setDeleteError] = useState<unknown>(null);
  const listHeading = useRef<HTMLHeadingElement>(null);
  const webhooks = list.data;

  const replace = (next: Webhook) => list.set((webhooks ?? []).map((w) => (w.id === next.id ? next : w)));

  const toggle = async (webhook: Webhook) => {
    setBusyId(webhook.id);
    setNotice(null);
    try {
      const { webhook: next } = await api().patchWebhook(site.id, webhook.id, { enabled: !webhook.enabled });
      replace(next);
      setNotice({ text: next.enabled ? t.enabledOn : t.enabledOff, kind: "ok" });
    } catch (error) {
      setNotice({ text: webhookErrorText(s, error), kind: "error" });
    } finally {
      setBusyId(null);
    }
  };

  const sendTest = async (webhook: Webhook) => {
    setBusyId(webhook.id);
    setNotice(null);
    try {
      const { delivery } = await api().testWebhook(site.id, webhook.id);
      setNotice(testResult(s, delivery));
      setLogVersion((v) => v + 1);
    } catch (error) {
      setNotice({ text: webhookErrorText(s, error), kind: "error" });
    } finally {
      setBusyId(null);
    }
  };

  const confirmDelete = async () => {
    if (!toDelete) return;
    const gone = toDelete;
    setBusyId(gone.id);
    setDeleteError(null);
    try {
      await api().deleteWebhook(site.id, gone.id);
      list.set((webhooks ?? []).filter((w) => w.id !== gone.id));
      setToDelete(null);
      setNotice({ text: t.deleted(gone.url), kind: "ok" });
      setTimeout(() => listHeading.current?.focus(), 0);
    } catch (error) {
      setDeleteError(error);
    } finally {
      setBusyId(null);
    }
  };

  const showLog = (id: string) =>
    setOpen((before) => {
      const next = new Set(before);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <div class="page webhooks">
      <div>
        <h1 ref={heading} tabIndex={-1}>
          {t.title}
        </h1>
        <p class="muted">{t.intro}</p>
      </div>

      <section class="card stack" aria-labelledby="webhooks-list">
        <h2 id="webhooks-list" ref={listHeading} tabIndex={-1}>
          {t.list}
        </h2>
        <Notice text={notice?.text ?? null} kind={notice?.kind} />
        {!webhooks ? (
          list.error ? (
            <div class="state state--error" role="alert">
              <p>{webhookErrorText(s, list.error)}</p>
            </div>
          ) : (
            <Loading />
          )
        ) : webhooks.length === 0 ? (
          <Empty>{t.empty}</Empty>
        ) : (
          <ul class="webhook-list">
            {webhooks.map((webhook) => (
              <li key={webhook.id} class="webhook">
                <p class="webhook__url">
                  <code>{webhook.url}</code>
                </p>
                <ul class="webhook__events">
                  {webhook.events.map((e) => (
                    <li key={e}>
                      {t.eventNames[e]} <code class="muted small">{e}</code>
                    </li>
                  ))}
                </ul>
                <div class="webhook__actions">
                  <div class="check">
                    <input
                      type="checkbox"
                      id={`webhook-on-${webhook.id}`}
                      checked={webhook.enabled}
                      disabled={busyId === webhook.id}
                      onChange={() => void toggle(webhook)}
                    />
                    <label for={`webhook-on-${webhook.id}`}>{t.enabled(webhook.url)}</label>
                  </div>
                  <button
                    type="button"
                    class="button"
                    aria-label={t.sendTestLabel(webhook.url)}
                    disabled={busyId === webhook.id}
                    onClick={() => void sendTest(webhook)}
                  >
                    {busyId === webhook.id ? t.sending : t.sendTest}
                  </button>
                  <button
                    type="button"
                    class="button"
                    aria-expanded={open.has(webhook.id)}
                    aria-label={open.has(webhook.id) ? t.hideDeliveriesLabel(webhook.url) : t.showDeliveriesLabel(webhook.url)}
                    onClick={() => showLog(webhook.id)}
                  >
                    {t.showDeliveries}
                  </button>
                  <button
                    type="button"
                    class="button button--danger"
                    aria-label={t.deleteLabel(webhook.url)}
                    disabled={busyId === webhook.id}
                    onClick={() => {
                      setDeleteError(null);
                      setToDelete(webhook);
                    }}
                  >
                    {t.delete}
                  </button>
                </div>
                {open.has(webhook.id) && <WebhookDeliveries siteId={site.id} webhook={webhook} version={logVersion} />}
              </li>
            ))}
          </ul>
        )}
        {webhooks && list.error && <ErrorState error={list.error} onRetry={list.reload} />}
      </section>

      <WebhookAdd siteId={site.id} onAdded={(w) => list.set([...(webhooks ?? []), w])} />

      {toDelete && (
        <ConfirmDialog
          title={t.deleteTitle}
          confirmLabel={t.delete}
          busy={busyId === toDelete.id}
          busyLabel={t.deleting}
          error={deleteError ? webhookErrorText(s, deleteError) : null}
          danger
          onConfirm={() => void confirmDelete()}
          onCancel={() => setToDelete(null)}
        >
          <p>{t.deleteBody(toDelete.url)}</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
