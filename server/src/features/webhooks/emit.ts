import type { AppDeps } from "../../deps.js";

/** The events a site's webhooks may subscribe to. */
export const WEBHOOK_EVENTS = [
  "conversation.created",
  "message.created",
  "handoff.requested",
  "feedback.created",
  "lead.captured",
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/**
 * Queues `type` for every enabled webhook of the site that subscribed to it (one delivery each,
 * one event id for all); delivery and its retries run on the job queue. Never throws into the
 * caller's path: a visitor's message is not refused because a webhook could not be queued.
 */
export async function emitWebhook(_deps: AppDeps, _siteId: string, _type: WebhookEvent, _data: Record<string, unknown>): Promise<void> {
  // Filled in by the webhooks room (features/webhooks): queue a delivery per subscribed webhook.
}
