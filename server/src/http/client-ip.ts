import type { H3Event } from "h3";

/**
 * The visitor's address, for per-IP limits. `trustedHops` (TRUST_PROXY) is how many proxies we
 * run behind, each appending to X-Forwarded-For the address it received the request from: the
 * client's address is then the entry that many places from the right, the one the outermost
 * trusted proxy saw. Entries left of it are the client's own claim and could be anything (issue
 * 11: with "the last hop of whatever is there", 100 forged values made 100 sessions).
 *
 * With fewer entries than hops, the request did not come through every trusted proxy (or one of
 * them is misconfigured): the left-most entry could then be the client's own, so the connection's
 * address is counted instead — every such request shares one bucket, and a client cannot pick
 * its own address by sending fewer entries.
 */
export function clientIp(event: H3Event, trustedHops: number): string {
  const socket = (event.req as { ip?: string }).ip ?? "unknown";
  if (trustedHops <= 0) return socket;
  const hops = (event.req.headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((h) => h.trim())
    .filter(Boolean);
  if (hops.length < trustedHops) return socket;
  return hops[hops.length - trustedHops].slice(0, 64);
}
