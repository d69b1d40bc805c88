import { AppError } from "../errors.js";

/**
 * Password hashing (scrypt) runs on libuv's thread pool, 4 threads by default, which file reads,
 * DNS lookups and zlib share: 200 parallel logins made /widget.js take 1.8 s. At most MAX_HASHING
 * hashes run at once, so the pool always has threads for the rest; at most MAX_WAITING wait, and
 * past that a login is told to come back (429 with Retry-After) rather than queued for seconds.
 */
export const MAX_HASHING = 2;
export const MAX_WAITING = 64;

let maxHashing = MAX_HASHING;
let maxWaiting = MAX_WAITING;
let running = 0;
let peak = 0;
const waiting: Array<() => void> = [];

/** Runs `hash` when a slot is free. */
export async function gatedHash<T>(hash: () => Promise<T>): Promise<T> {
  if (running >= maxHashing) {
    if (waiting.length >= maxWaiting) {
      throw new AppError("rate_limited", "Too many sign-ins at once; try again in a moment.", { retryAfterSeconds: 1 });
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else {
    running++;
  }
  peak = Math.max(peak, running);
  try {
    return await hash();
  } finally {
    // The slot passes straight to the next in line (running stays counted), or is freed.
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

/** What the gate saw (tests, benchmarks): hashes running now, the most ever at once, and how many wait. */
export function hashGateStats(): { running: number; peak: number; waiting: number } {
  return { running, peak, waiting: waiting.length };
}

export function resetHashGatePeak(): void {
  peak = running;
}

/** bench/logins.ts only: Infinity for both measures the server as it was before the gate. */
export function configureHashGate(limits: { running: number; waiting: number }): void {
  maxHashing = limits.running;
  maxWaiting = limits.waiting;
}
