import type { AppDeps } from "../../deps.js";
import { newId } from "../../security/ids.js";
import { DELIVER_JOB } from "./deliver.js";
import { type WebhookRow, insertDelivery } from "./webhooks.repository.js";

/** What every receiver is sent: the same bytes for each webhook the event goes to, and what is signed. */
export interface WebhookEventBody {
  /** evt_…: receivers deduplicate by it (a retry, or a step run again, sends it again) */
  id: string;
  type: string;
  createdAt: string;
  siteId: string;
  data: Record<string, unknown>;
}

/**
 * One event, one id, one body: a delivery row and a job per webhook, each pair written together
 * so a delivery never waits without a job to send it.
 */
export async function queueEvent(
  deps: Pick<AppDeps, "db" | "jobs" | "now">,
  siteId: string,
  webhooks: readonly WebhookRow[],
  type: string,
  data: Record<string, unknown>,
): Promise<{ eventId: string; deliveryIds: string[]; jobIds: string[] }> {
  const now = deps.now();
  const event: WebhookEventBody = { id: newId("evt"), type, createdAt: new Date(now).toISOString(), siteId, data };
  const payload = JSON.stringify(event);
  const deliveryIds: string[] = [];
  const jobIds: string[] = [];
  for (const webhook of webhooks) {
    const id = newId("dlv");
    await deps.db.transaction().execute(async (trx) => {
      await insertDelivery(trx, {
        id,
        webhook_id: webhook.id,
        site_id: siteId,
        event_id: event.id,
        event_type: type,
        payload,
        state: "pending",
        attempts: 0,
        created_at: now,
        updated_at: now,
      });
      jobIds.push(await deps.jobs.enqueue(DELIVER_JOB, { deliveryId: id }, { siteId, db: trx }));
    });
    deliveryIds.push(id);
  }
  return { eventId: event.id, deliveryIds, jobIds };
}
