import type { AppDeps } from "../../deps.js";
import type { Router } from "../../http/route.js";
import {
  DeliveryListResponse,
  DeliveryResponse,
  WebhookCreate,
  WebhookCreatedResponse,
  WebhookListResponse,
  WebhookParams,
  WebhookPatch,
  WebhookResponse,
  WebhookSiteParams,
} from "./webhooks.schemas.js";
import { changeWebhook, createWebhook, listDeliveries, listWebhooks, removeWebhook, sendTestEvent } from "./webhooks.service.js";

export function registerWebhookRoutes(router: Router, deps: AppDeps): void {
  const common = { tag: "webhooks", auth: "owner" } as const;
  const base = "/api/sites/:siteId/webhooks";

  router.add({
    ...common,
    method: "GET",
    path: base,
    summary: "The site's webhooks (site admins and the owner); never their secrets",
    params: WebhookSiteParams,
    response: WebhookListResponse,
    errors: ["unauthorized", "forbidden", "not_found"],
    handler: async ({ ownerId, params }) => ({ webhooks: await listWebhooks(deps, ownerId, params.siteId) }),
  });

  router.add({
    ...common,
    method: "POST",
    path: base,
    summary:
      "Add a webhook: events are POSTed to `url` as JSON, signed with the `secret` in this answer (shown only here). At most 10 per site; the URL must reach a public address (or be listed in FETCH_ALLOW_HOSTS)",
    params: WebhookSiteParams,
    body: WebhookCreate,
    response: WebhookCreatedResponse,
    status: 201,
    errors: ["unauthorized", "forbidden", "not_found", "invalid_body", "webhook_limit", "url_not_allowed"],
    handler: async ({ ownerId, params, body }) => createWebhook(deps, ownerId, params.siteId, body),
  });

  router.add({
    ...common,
    method: "PATCH",
    path: `${base}/:webhookId`,
    summary: "Change a webhook's URL, events, or switch it on or off (a disabled webhook is sent no events)",
    params: WebhookParams,
    body: WebhookPatch,
    response: WebhookResponse,
    errors: ["unauthorized", "forbidden", "not_found", "invalid_body", "url_not_allowed"],
    handler: async ({ ownerId, params, body }) => ({
      webhook: await changeWebhook(deps, ownerId, params.siteId, params.webhookId, body),
    }),
  });

  router.add({
    ...common,
    method: "DELETE",
    path: `${base}/:webhookId`,
    summary: "Delete a webhook with its delivery log; deliveries still waiting are dropped",
    params: WebhookParams,
    responseKind: "empty",
    status: 204,
    errors: ["unauthorized", "forbidden", "not_found"],
    handler: async ({ ownerId, params }) => {
      await removeWebhook(deps, ownerId, params.siteId, params.webhookId);
      return null;
    },
  });

  router.add({
    ...common,
    method: "POST",
    path: `${base}/:webhookId/test`,
    summary:
      "Send a `webhook.test` event to this webhook through the same signing and retries as any event; answers its delivery (with the first attempt when the receiver answered within a second)",
    params: WebhookParams,
    response: DeliveryResponse,
    errors: ["unauthorized", "forbidden", "not_found"],
    handler: async ({ ownerId, params }) => ({ delivery: await sendTestEvent(deps, ownerId, params.siteId, params.webhookId) }),
  });

  router.add({
    ...common,
    method: "GET",
    path: `${base}/:webhookId/deliveries`,
    summary: "The webhook's 50 latest deliveries, newest first, each with its attempts (status code, latency, error, time)",
    params: WebhookParams,
    response: DeliveryListResponse,
    errors: ["unauthorized", "forbidden", "not_found"],
    handler: async ({ ownerId, params }) => ({ deliveries: await listDeliveries(deps, ownerId, params.siteId, params.webhookId) }),
  });
}
