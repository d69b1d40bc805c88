import { z } from "zod";
import { IdParam } from "../../http/route.js";
import { WEBHOOK_EVENTS } from "./emit.js";

/** A site has at most this many webhooks (error webhook_limit). */
export const MAX_WEBHOOKS_PER_SITE = 10;

export const WebhookSiteParams = z.object({ siteId: IdParam });
export const WebhookParams = z.object({ siteId: IdParam, webhookId: IdParam });

const Url = z.string().trim().min(1).max(2000);
// Each event once, in the order they are listed: what the owner ticked, not how often.
const Events = z
  .array(z.enum(WEBHOOK_EVENTS))
  .min(1, "Choose at least one event.")
  .max(20)
  .transform((events) => WEBHOOK_EVENTS.filter((e) => events.includes(e)));

export const WebhookCreate = z.object({ url: Url, events: Events }).strict();

export const WebhookPatch = z
  .object({ url: Url.optional(), events: Events.optional(), enabled: z.boolean().optional() })
  .strict()
  .refine((p) => p.url !== undefined || p.events !== undefined || p.enabled !== undefined, "Nothing to change.");

/** A webhook as the dashboard lists it: never its secret. */
export const WebhookSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENTS)),
  enabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const WebhookResponse = z.object({ webhook: WebhookSchema });
export const WebhookListResponse = z.object({ webhooks: z.array(WebhookSchema) });
/** The only answer that holds the secret: the receiver's owner copies it now or creates the webhook again. */
export const WebhookCreatedResponse = z.object({ webhook: WebhookSchema, secret: z.string() });

export const AttemptSchema = z.object({
  attempt: z.number().int(),
  /** null: no answer (refused by the outbound rules, DNS, network, timeout) */
  statusCode: z.number().int().nullable(),
  latencyMs: z.number().int(),
  error: z.string().nullable(),
  at: z.string(),
});

export const DeliverySchema = z.object({
  id: z.string(),
  eventId: z.string(),
  type: z.string(),
  state: z.enum(["pending", "delivered", "failed"]),
  createdAt: z.string(),
  updatedAt: z.string(),
  attempts: z.array(AttemptSchema),
});

export const DeliveryResponse = z.object({ delivery: DeliverySchema });
export const DeliveryListResponse = z.object({ deliveries: z.array(DeliverySchema) });
