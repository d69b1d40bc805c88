import type { AppDeps } from "../../deps.js";
import { forgetSiteWebhooks } from "./site-webhooks.js";
import { iso } from "../../db/times.js";
import { AppError } from "../../errors.js";
import { driveDuring } from "../../jobs/drivers.js";
import { checkedAddresses, parseOutboundUrl } from "../../outbound/checked-host.js";
import { OutboundError } from "../../outbound/outbound-error.js";
import { newId } from "../../security/ids.js";
import { seal } from "../../security/secret-box.js";
import { siteAccess } from "../sites/site-access.js";
import type { WebhookEvent } from "./emit.js";
import { TEST_EVENT } from "./deliver.js";
import { queueEvent } from "./queue-event.js";
import { newWebhookSecret } from "./signature.js";
import {
  type DeliveryRow,
  type WebhookRow,
  attemptsOf,
  countWebhooks,
  deleteWebhook,
  findDelivery,
  findWebhook,
  insertWebhook,
  listWebhookRows,
  recentDeliveries,
  updateWebhook,
} from "./webhooks.repository.js";
import { MAX_WEBHOOKS_PER_SITE } from "./webhooks.schemas.js";

/** How long "Send test event" waits for its first attempt (one attempt is bounded at 10 s). */
const DRIVE_ON_TEST_MS = 1_000;
/** The name lookup at creation is a quick check, not the delivery's: a slow resolver is not waited for. */
const CREATE_CHECK_MS = 3_000;
const DELIVERIES_SHOWN = 50;

function toWebhook(w: WebhookRow) {
  return {
    id: w.id,
    url: w.url,
    events: JSON.parse(w.events) as WebhookEvent[],
    enabled: w.enabled === 1,
    createdAt: iso(Number(w.created_at)),
    updatedAt: iso(Number(w.updated_at)),
  };
}

/** Every webhook route is an admin's (site-access.ts): an agent reads conversations, not integrations. */
const adminSite = async (deps: AppDeps, accountId: string, siteId: string) => (await siteAccess(deps, accountId, siteId, "admin")).site;

async function ownWebhook(deps: AppDeps, siteId: string, webhookId: string): Promise<WebhookRow> {
  const webhook = await findWebhook(deps.db, siteId, webhookId);
  if (!webhook) throw new AppError("not_found", "No such webhook.");
  return webhook;
}

/**
 * The URL as the server will POST to it: http(s), no credentials, and a host that reaches a
 * public address now (private, loopback and metadata addresses refused unless FETCH_ALLOW_HOSTS
 * lists the host). Every delivery checks again: a name may point elsewhere later. A name that
 * does not resolve yet is let through; its deliveries will say so.
 */
async function allowedUrl(deps: AppDeps, input: string): Promise<string> {
  try {
    const url = parseOutboundUrl(input);
    const timeout = AbortSignal.timeout(CREATE_CHECK_MS);
    await Promise.race([
      checkedAddresses(url, { allowHosts: deps.config.fetchAllowHosts }),
      new Promise((resolve) => timeout.addEventListener("abort", resolve, { once: true })),
    ]);
    return url.href;
  } catch (err) {
    if (err instanceof OutboundError && err.code === "dns_failed") return parseOutboundUrl(input).href;
    if (err instanceof OutboundError) throw new AppError("url_not_allowed", err.message);
    throw err;
  }
}

export async function listWebhooks(deps: AppDeps, accountId: string, siteId: string) {
  const site = await adminSite(deps, accountId, siteId);
  return (await listWebhookRows(deps.db, site.id)).map(toWebhook);
}

export async function createWebhook(deps: AppDeps, accountId: string, siteId: string, input: { url: string; events: WebhookEvent[] }) {
  const site = await adminSite(deps, accountId, siteId);
  if ((await countWebhooks(deps.db, site.id)) >= MAX_WEBHOOKS_PER_SITE) throw new AppError("webhook_limit");
  const url = await allowedUrl(deps, input.url);
  const secret = newWebhookSecret();
  const now = deps.now();
  const row: WebhookRow = {
    id: newId("wh"),
    site_id: site.id,
    url,
    events: JSON.stringify(input.events),
    secret_enc: seal(deps.keyring, secret),
    enabled: 1,
    created_at: now,
    updated_at: now,
  };
  await insertWebhook(deps.db, row);
  forgetSiteWebhooks(deps.db, site.id);
  return { webhook: toWebhook(row), secret };
}

export async function changeWebhook(
  deps: AppDeps,
  accountId: string,
  siteId: string,
  webhookId: string,
  patch: { url?: string; events?: WebhookEvent[]; enabled?: boolean },
) {
  const site = await adminSite(deps, accountId, siteId);
  await ownWebhook(deps, site.id, webhookId);
  await updateWebhook(
    deps.db,
    site.id,
    webhookId,
    {
      ...(patch.url !== undefined ? { url: await allowedUrl(deps, patch.url) } : {}),
      ...(patch.events !== undefined ? { events: JSON.stringify(patch.events) } : {}),
      ...(patch.enabled !== undefined ? { enabled: patch.enabled ? 1 : 0 } : {}),
    },
    deps.now(),
  );
  forgetSiteWebhooks(deps.db, site.id);
  return toWebhook(await ownWebhook(deps, site.id, webhookId));
}

export async function removeWebhook(deps: AppDeps, accountId: string, siteId: string, webhookId: string): Promise<void> {
  const site = await adminSite(deps, accountId, siteId);
  const deleted = await deleteWebhook(deps.db, site.id, webhookId);
  forgetSiteWebhooks(deps.db, site.id);
  if (!deleted) throw new AppError("not_found", "No such webhook.");
}

/**
 * A `webhook.test` event to this webhook alone (enabled or not: a receiver can be tried before it
 * is switched on), through the same queue, signing and retries as any event; answered with its
 * delivery after the first attempt, when that was quick.
 */
export async function sendTestEvent(deps: AppDeps, accountId: string, siteId: string, webhookId: string) {
  const site = await adminSite(deps, accountId, siteId);
  const webhook = await ownWebhook(deps, site.id, webhookId);
  const { deliveryIds, jobIds } = await queueEvent(deps, site.id, [webhook], TEST_EVENT, {
    message: "A test event from Bailian Chat: your endpoint is reachable and can check the signature.",
  });
  await driveDuring(deps.jobs, DRIVE_ON_TEST_MS, jobIds);
  const [delivery] = await withAttempts(deps, site.id, [(await findDelivery(deps.db, deliveryIds[0]))!]);
  return delivery;
}

export async function listDeliveries(deps: AppDeps, accountId: string, siteId: string, webhookId: string) {
  const site = await adminSite(deps, accountId, siteId);
  await ownWebhook(deps, site.id, webhookId);
  return withAttempts(deps, site.id, await recentDeliveries(deps.db, site.id, webhookId, DELIVERIES_SHOWN));
}

async function withAttempts(deps: AppDeps, siteId: string, deliveries: DeliveryRow[]) {
  const attempts = await attemptsOf(
    deps.db,
    siteId,
    deliveries.map((d) => d.id),
  );
  return deliveries.map((d) => ({
    id: d.id,
    eventId: d.event_id,
    type: d.event_type,
    state: d.state,
    createdAt: iso(Number(d.created_at)),
    updatedAt: iso(Number(d.updated_at)),
    attempts: attempts
      .filter((a) => a.delivery_id === d.id)
      .map((a) => ({
        attempt: a.attempt,
        statusCode: a.status_code === null ? null : Number(a.status_code),
        latencyMs: Number(a.latency_ms),
        error: a.error,
        at: iso(Number(a.created_at)),
      })),
  }));
}
