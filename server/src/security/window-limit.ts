import { createHash } from "node:crypto";
import { AppError } from "../errors.js";
import type { Counters } from "./counters.js";

/** A fixed window aligned to the clock, and the seconds until it ends (Retry-After). */
export function windowOf(now: number, windowMs: number): { start: number; end: number; retryAfterSeconds: number } {
  const start = now - (now % windowMs);
  return { start, end: start + windowMs, retryAfterSeconds: Math.max(1, Math.ceil((start + windowMs - now) / 1000)) };
}

/** Counts one hit of `key` in its window; false once more than `limit` were counted (exact across instances: deps.counters). */
export async function hitWithin(counters: Counters, key: string, limit: number, windowMs: number, now: number): Promise<boolean> {
  const w = windowOf(now, windowMs);
  return (await counters.add(key, w.start, 1, w.end + windowMs)) <= limit;
}

/** Like hitWithin, but past the limit answers 429 rate_limited with Retry-After. */
export async function admitWithin(
  counters: Counters,
  key: string,
  limit: number,
  windowMs: number,
  now: number,
  message?: string,
): Promise<void> {
  if (await hitWithin(counters, key, limit, windowMs, now)) return;
  throw rateLimited(now, windowMs, message);
}

/** 429 rate_limited, with the seconds until the window ends as Retry-After. */
function rateLimited(now: number, windowMs: number, message = "Too many requests; try again shortly."): AppError {
  return new AppError("rate_limited", message, { retryAfterSeconds: windowOf(now, windowMs).retryAfterSeconds });
}

/**
 * Several windows hit at once, in one round trip (Counters.addAll), refused at the first one, in
 * order, past its limit. The later ones are then taken back, so a refusal by an earlier window
 * (the visitor's) does not use up a later one (the site's); they were counted only meanwhile.
 */
export async function admitAllWithin(
  counters: Counters,
  windows: ReadonlyArray<{ key: string; limit: number }>,
  windowMs: number,
  now: number,
): Promise<void> {
  const w = windowOf(now, windowMs);
  const hit = (key: string, by: number) => ({ key, windowStart: w.start, by, expiresAt: w.end + windowMs });
  const totals = await counters.addAll(windows.map(({ key }) => hit(key, 1)));
  const refused = totals.findIndex((total, i) => total > windows[i].limit);
  if (refused < 0) return;
  const later = windows.slice(refused + 1);
  if (later.length) await counters.addAll(later.map(({ key }) => hit(key, -1))).catch(() => {});
  throw rateLimited(now, windowMs);
}

/**
 * An email as part of a counter's key: hashed, as keys are at most 190 characters (an email may
 * have 254) and the counters table need not hold anyone's address.
 */
export function emailKey(email: string): string {
  return createHash("sha256").update(email).digest("base64url");
}
