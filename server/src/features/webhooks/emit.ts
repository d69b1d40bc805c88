import type { AppDeps } from "../../deps.js";
import { driveDuring } from "../../jobs/drivers.js";
import { siteWebhooks } from "./site-webhooks.js";
import { queueEvent } from "./queue-event.js";

/** The events a site's webhooks may subscribe to. */
export const WEBHOOK_EVENTS = [
  "conversation.created",
  "message.created",
  "handoff.requested",
  "feedback.created",
  "lead.captured",
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** What emitting needs: callers deep in a request's path (an answer's background task) hold no more. */
export type EmitDeps = Pick<AppDeps, "db" | "jobs" | "tasks" | "logger" | "now">;

/**
 * How long the request that emitted an event works on its deliveries, in the background (the
 * visitor's answer does not wait): on Function Compute the instance has CPU while that request
 * is in flight, so a receiver that answers at once is served then; the rest waits for the ticker
 * or the timer trigger. One attempt's own bound (10 s) ends a slow receiver's wait.
 */
const DRIVE_ON_EMIT_MS = 2_000;

/**
 * Queues `type` for every enabled webhook of the site that subscribed to it (one delivery each,
 * one event id for all); delivery and its retries run on the job queue. Never throws into the
 * caller's path: a visitor's message is not refused because a webhook could not be queued.
 */
export async function emitWebhook(deps: EmitDeps, siteId: string, type: WebhookEvent, data: Record<string, unknown>): Promise<void> {
  try {
    const webhooks = (await siteWebhooks(deps.db, siteId)).filter((w) => w.enabled && (JSON.parse(w.events) as string[]).includes(type));
    if (!webhooks.length) return;
    const { jobIds } = await queueEvent(deps, siteId, webhooks, type, data);
    deps.tasks.run(() => driveDuring(deps.jobs, DRIVE_ON_EMIT_MS, jobIds, deps.tasks.signal));
  } catch (err) {
    deps.logger.error({ msg: "webhook event not queued", siteId, type, error: err instanceof Error ? err.message : String(err) });
  }
}
