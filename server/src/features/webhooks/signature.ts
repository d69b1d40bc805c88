import { createHmac, randomBytes } from "node:crypto";

export const SIGNATURE_HEADER = "X-BailianChat-Signature";
export const EVENT_ID_HEADER = "X-BailianChat-Event-Id";
export const EVENT_TYPE_HEADER = "X-BailianChat-Event";

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`: the time is signed with the body,
 * so a receiver that refuses old timestamps cannot be sent a captured delivery again later.
 */
export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const v1 = createHmac("sha256", secret).update(`${unixSeconds}.${body}`).digest("hex");
  return `t=${unixSeconds},v1=${v1}`;
}

/** 192 random bits; the prefix tells a reader of a config file what it is. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString("base64url")}`;
}
