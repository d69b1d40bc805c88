import type { SiteLimits } from "../features/sites/sites.schemas.js";
import type { Counters } from "./counters.js";
import { admitAllWithin, admitWithin } from "./window-limit.js";
import { month, siteMessagesKey, siteTokensKey } from "./monthly-quota.js";

const MINUTE = 60_000;

/** Counts one hit in the current minute (fixed windows aligned to the clock); 429 once `limit` is passed. */
const perMinute = (counters: Counters, key: string, limit: number, now: number) => admitWithin(counters, key, limit, MINUTE, now);

export interface MessageHit {
  counters: Counters;
  limits: SiteLimits;
  siteId: string;
  visitorId: string;
  /** the client's address (http/client-ip.ts) */
  ip: string;
  now: number;
}

/**
 * Before a message is looked at: the visitor's, the IP address's and the site's per-minute limits,
 * counted together (one round trip) and refused at the first, in that order, that is passed; the
 * later ones are taken back, so one visitor's (or one address's) flood does not use up the site's
 * minute. The month's quotas come next, once the answer's worst case is known (monthly-quota.ts
 * admitAnswer).
 */
export function admitMessage({ counters, limits, siteId, visitorId, ip, now }: MessageHit): Promise<void> {
  return admitAllWithin(
    counters,
    [
      { key: visitorMessagesKey(visitorId), limit: limits.visitorMessagesPerMinute },
      { key: `msg:ip:${siteId}:${ip}`, limit: limits.ipMessagesPerMinute },
      { key: `msg:site:${siteId}`, limit: limits.siteMessagesPerMinute },
    ],
    MINUTE,
    now,
  );
}

const visitorMessagesKey = (visitorId: string) => `msg:visitor:${visitorId}`;

/**
 * The visitor's own per-minute message window alone: also what a rating of an answer counts
 * against (features/feedback), so a script cannot flood ratings any more than messages.
 */
export function admitVisitorMessage(counters: Counters, limits: SiteLimits, visitorId: string, now: number): Promise<void> {
  return perMinute(counters, visitorMessagesKey(visitorId), limits.visitorMessagesPerMinute, now);
}

/** New visitor sessions per IP address and site, per minute. */
export function admitSession(counters: Counters, limits: SiteLimits, siteId: string, ip: string, now: number): Promise<void> {
  return perMinute(counters, `session:${siteId}:${ip}`, limits.sessionsPerIpPerMinute, now);
}

/**
 * New conversations per visitor per minute. The widget starts one when its visitor asks for a new
 * conversation; a script started 1,000 in 1.4 s (issue 11). Not an owner's setting: no real
 * visitor comes near it.
 */
export const CONVERSATIONS_PER_VISITOR_PER_MINUTE = 10;

export function admitConversation(counters: Counters, visitorId: string, now: number): Promise<void> {
  return perMinute(counters, `conv:visitor:${visitorId}`, CONVERSATIONS_PER_VISITOR_PER_MINUTE, now);
}

/** Where the site stands this month, for the owner's dashboard. */
export async function monthToDate(counters: Counters, siteId: string, now: number) {
  const m = month(now);
  const [messages, tokens] = await Promise.all([
    counters.get(siteMessagesKey(siteId), m.start),
    counters.get(siteTokensKey(siteId), m.start),
  ]);
  return { month: m.label, messages, tokens };
}
