import type { H3Event } from "h3";

/**
 * The visitor's address, for per-IP limits. Behind a proxy (TRUST_PROXY=1: Function Compute, a
 * CDN) it is the last X-Forwarded-For hop — the one our proxy saw; earlier hops are the client's
 * own claim and could be anything.
 */
export function clientIp(event: H3Event, trustProxy: boolean): string {
  if (trustProxy) {
    const last = event.req.headers
      .get("x-forwarded-for")
      ?.split(",")
      .map((h) => h.trim())
      .filter(Boolean)
      .at(-1);
    if (last) return last.slice(0, 64);
  }
  return (event.req as { ip?: string }).ip ?? "unknown";
}
