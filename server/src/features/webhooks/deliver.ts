import type { AppDeps } from "../../deps.js";
import type { DeliveryState } from "../../db/schema.js";
import type { JobHandler, KindPolicy } from "../../jobs/job-queue.js";
import { outboundFromConfig } from "../../outbound/from-config.js";
import { OutboundError } from "../../outbound/outbound-error.js";
import { newId } from "../../security/ids.js";
import { open } from "../../security/secret-box.js";
import { EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, signatureHeader } from "./signature.js";
import { postWebhook } from "./webhook-post.js";
import {
  type DeliveryRow,
  type WebhookRow,
  findDelivery,
  findWebhookOfDelivery,
  recordAttempt,
  setDeliveryState,
} from "./webhooks.repository.js";

export const DELIVER_JOB = "webhook.deliver";
/** The test event's type: not one a webhook subscribes to, sent only when asked for. */
export const TEST_EVENT = "webhook.test";

/** A delivery is retried until this long after its event, then left `failed`. */
export const DELIVERY_WINDOW_MS = 24 * 60 * 60_000;

/** 30 s, doubling, at most an hour apart: about 30 attempts in the day. */
export const deliveryBackoffMs = (attempts: number): number => Math.min(3_600_000, 30_000 * 2 ** Math.max(0, attempts - 1));

/** The day, not a count, ends a delivery's retries (the handler decides): the count is only a backstop. */
export const DELIVERY_POLICY: KindPolicy = { maxAttempts: 100, backoffMs: deliveryBackoffMs };

interface Outcome {
  statusCode: number | null;
  error: string | null;
  latencyMs: number;
}

/**
 * One attempt per step: POST, log the attempt (status, latency, error), and either finish
 * (delivered, or the day is over) or throw, so the queue retries after its back-off.
 */
export function deliverHandler(deps: AppDeps): JobHandler<{ deliveryId: string }> {
  return async (job, { signal }) => {
    const delivery = await findDelivery(deps.db, job.payload.deliveryId);
    if (!delivery || delivery.state !== "pending") return { done: true };
    const webhook = await findWebhookOfDelivery(deps.db, delivery);
    if (!webhook) return { done: true };
    if (!webhook.enabled && delivery.event_type !== TEST_EVENT) {
      // Turned off while this waited: a disabled webhook is sent no more events (a test it was asked for, still).
      await setDeliveryState(deps.db, delivery, "failed", deps.now());
      return { done: true };
    }
    const outcome = await attempt(deps, webhook, delivery, signal);
    const attemptNo = delivery.attempts + 1;
    const now = deps.now();
    const delivered = outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300;
    const over = now - Number(delivery.created_at) >= DELIVERY_WINDOW_MS || outcome.error === SECRET_LOST;
    const state: DeliveryState = delivered ? "delivered" : over ? "failed" : "pending";
    await recordAttempt(
      deps.db,
      {
        id: newId("wha"),
        delivery_id: delivery.id,
        webhook_id: webhook.id,
        site_id: delivery.site_id,
        attempt: attemptNo,
        status_code: outcome.statusCode,
        latency_ms: outcome.latencyMs,
        error: outcome.error?.slice(0, 500) ?? null,
        created_at: now,
      },
      state,
    );
    if (state !== "pending") return { done: true };
    throw new Error(`Webhook delivery attempt ${attemptNo} failed: ${outcome.error}`);
  };
}

const SECRET_LOST = "The webhook's signing secret can no longer be read (APP_SECRET changed): create the webhook again.";

async function attempt(deps: AppDeps, webhook: WebhookRow, delivery: DeliveryRow, signal: AbortSignal): Promise<Outcome> {
  let secret: string;
  try {
    secret = open(deps.keyring, webhook.secret_enc);
  } catch {
    return { statusCode: null, error: SECRET_LOST, latencyMs: 0 };
  }
  const { userAgent, allowHosts } = outboundFromConfig(deps.config);
  const headers = {
    [SIGNATURE_HEADER]: signatureHeader(secret, delivery.payload, Math.floor(deps.now() / 1000)),
    [EVENT_ID_HEADER]: delivery.event_id,
    [EVENT_TYPE_HEADER]: delivery.event_type,
  };
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  try {
    const status = await postWebhook(webhook.url, delivery.payload, { userAgent, allowHosts, headers, signal });
    const ok = status >= 200 && status < 300;
    const error = ok
      ? null
      : status >= 300 && status < 400
        ? `The receiver answered ${status}; redirects are not followed.`
        : `The receiver answered ${status}.`;
    return { statusCode: status, error, latencyMs: latency() };
  } catch (err) {
    // OutboundError messages are written for the owner and hold no secret; anything else is ours.
    const error = err instanceof OutboundError ? err.message : "The delivery failed unexpectedly.";
    if (!(err instanceof OutboundError)) {
      deps.logger.error({ msg: "webhook delivery failed", deliveryId: delivery.id, error: err instanceof Error ? err.name : typeof err });
    }
    return { statusCode: null, error, latencyMs: latency() };
  }
}
