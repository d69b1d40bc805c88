/** @jsxImportSource preact */
import type { Webhook } from "../api/types.js";
import { Empty, Loading } from "../components/states.js";
import { useResource } from "../components/use-resource.js";
import { formatDateTime, formatNumber, useStrings } from "../i18n/lang.js";
import { api } from "../state/session.js";
import { webhookErrorText } from "./webhook-text.js";

/**
 * One webhook's latest deliveries, one row per attempt (status code, latency, time, error); a
 * delivery not tried yet shows as one row. The receiver's answers are never shown, only the status.
 */
export function WebhookDeliveries({ siteId, webhook, version }: { siteId: string; webhook: Webhook; version: number }) {
  const s = useStrings();
  const t = s.webhooks;
  const c = t.columns;
  const log = useResource(
    () =>
      api()
        .webhookDeliveries(siteId, webhook.id)
        .then((r) => r.deliveries),
    [siteId, webhook.id, version],
  );
  const titleId = `deliveries-${webhook.id}`;
  const deliveries = log.data;
  return (
    <section class="webhook__log stack" aria-labelledby={titleId}>
      <h3 id={titleId}>{t.deliveriesTitle(webhook.url)}</h3>
      {!deliveries ? (
        log.error ? (
          <p class="field__error" role="alert">
            {webhookErrorText(s, log.error)}
          </p>
        ) : (
          <Loading />
        )
      ) : deliveries.length === 0 ? (
        <Empty>{t.noDeliveries}</Empty>
      ) : (
        <div class="table-scroll">
          <table class="table deliveries-table">
            <thead>
              <tr>
                <th scope="col">{c.event}</th>
                <th scope="col">{c.state}</th>
                <th scope="col">{c.attempt}</th>
                <th scope="col">{c.status}</th>
                <th scope="col">{c.latency}</th>
                <th scope="col">{c.time}</th>
                <th scope="col">{c.error}</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.flatMap((d) => {
                const event = (
                  <td>
                    {t.eventNames[d.type] ?? d.type} <code class="muted small">{d.eventId}</code>
                  </td>
                );
                const state = (
                  <td>
                    <span class={`status-badge status-badge--${d.state}`}>{t.states[d.state]}</span>
                  </td>
                );
                if (!d.attempts.length) {
                  return [
                    <tr key={d.id}>
                      {event}
                      {state}
                      <td colSpan={5} class="muted">
                        {t.notTried}
                      </td>
                    </tr>,
                  ];
                }
                return [...d.attempts].reverse().map((a) => (
                  <tr key={`${d.id}-${a.attempt}`}>
                    {event}
                    {state}
                    <td>{formatNumber(a.attempt)}</td>
                    <td>{a.statusCode === null ? t.noAnswer : String(a.statusCode)}</td>
                    <td>{t.ms(formatNumber(a.latencyMs))}</td>
                    <td>{formatDateTime(a.at)}</td>
                    <td>{a.error ?? ""}</td>
                  </tr>
                ));
              })}
            </tbody>
          </table>
        </div>
      )}
      <div>
        <button type="button" class="button" onClick={log.reload}>
          {t.refresh}
        </button>
      </div>
    </section>
  );
}
