import { AppError } from "../errors.js";
import type { SiteLimits } from "../features/sites/sites.schemas.js";
import type { Counters } from "./counters.js";

const MINUTE = 60_000;

/** Counts one hit in the current minute (fixed windows aligned to the clock); 429 once `limit` is passed. */
async function perMinute(counters: Counters, key: string, limit: number, now: number): Promise<void> {
  const windowStart = now - (now % MINUTE);
  const count = await counters.add(key, windowStart, 1, windowStart + 2 * MINUTE);
  if (count > limit) {
    throw new AppError("rate_limited", "Too many requests; try again shortly.", {
      retryAfterSeconds: Math.max(1, Math.ceil((windowStart + MINUTE - now) / 1000)),
    });
  }
}

/** The calendar month (UTC) a time falls in, as the counter's window. */
function month(now: number): { start: number; next: number; label: string } {
  const d = new Date(now);
  const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const next = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  return { start, next, label: new Date(start).toISOString().slice(0, 7) };
}

function quotaExceeded(now: number): AppError {
  return new AppError("quota_exceeded", "This assistant has used its monthly allowance.", {
    retryAfterSeconds: Math.ceil((month(now).next - now) / 1000),
  });
}

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
 * Before a message reaches the model: the visitor's, the IP address's and the site's per-minute
 * limits, then the site's monthly messages and tokens. Checked in that order and stopped at the
 * first refusal, so one visitor's (or one address's) flood does not use up the site's minute or quota.
 */
export async function admitMessage({ counters, limits, siteId, visitorId, ip, now }: MessageHit): Promise<void> {
  await perMinute(counters, `msg:visitor:${visitorId}`, limits.visitorMessagesPerMinute, now);
  await perMinute(counters, `msg:ip:${siteId}:${ip}`, limits.ipMessagesPerMinute, now);
  await perMinute(counters, `msg:site:${siteId}`, limits.siteMessagesPerMinute, now);
  const m = month(now);
  const tokens = await counters.get(`quota:tokens:${siteId}`, m.start);
  if (tokens >= limits.monthlyTokens) throw quotaExceeded(now);
  const messages = await counters.add(`quota:messages:${siteId}`, m.start, 1, m.next + 86_400_000);
  if (messages > limits.monthlyMessages) throw quotaExceeded(now);
}

/** After an answer: its tokens count against the site's month. */
export async function chargeTokens(counters: Counters, siteId: string, tokens: number, now: number): Promise<void> {
  if (tokens <= 0) return;
  const m = month(now);
  await counters.add(`quota:tokens:${siteId}`, m.start, tokens, m.next + 86_400_000);
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
    counters.get(`quota:messages:${siteId}`, m.start),
    counters.get(`quota:tokens:${siteId}`, m.start),
  ]);
  return { month: m.label, messages, tokens };
}
