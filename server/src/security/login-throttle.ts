import type { AppDeps } from "../deps.js";
import { AppError } from "../errors.js";
import { emailKey, windowOf } from "./window-limit.js";

/**
 * Failed sign-ins allowed per window, per account (its email, whether or not it exists) and per
 * client address. A success does not count. An attacker can hold one account's sign-in for the
 * rest of a window (the price of stopping password guessing); the owner can still reset the password.
 */
export const LOGIN_LIMITS = { perAccount: 10, perIp: 50, windowMs: 15 * 60_000 };

/**
 * Exact across instances and under parallel attempts: every attempt is counted before its
 * password is checked, and a success is counted apart, so attempts - successes bounds the failures
 * (and the attempts whose outcome is not known yet). Past the bound: 429 rate_limited with Retry-After.
 * Answers what to call when the password was right.
 */
export async function admitLogin(
  deps: Pick<AppDeps, "counters" | "now">,
  email: string,
  ip: string,
): Promise<{ succeeded(): Promise<void> }> {
  const now = deps.now();
  const w = windowOf(now, LOGIN_LIMITS.windowMs);
  const expires = w.end + LOGIN_LIMITS.windowMs;
  const subjects = [
    { key: `login:account:${emailKey(email)}`, limit: LOGIN_LIMITS.perAccount },
    { key: `login:ip:${ip}`, limit: LOGIN_LIMITS.perIp },
  ];
  for (const { key, limit } of subjects) {
    const [attempts, successes] = await Promise.all([
      deps.counters.add(`${key}:try`, w.start, 1, expires),
      deps.counters.get(`${key}:ok`, w.start),
    ]);
    if (attempts - successes > limit) {
      const minutes = Math.ceil(w.retryAfterSeconds / 60);
      throw new AppError(
        "rate_limited",
        `Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}, or reset the password.`,
        {
          retryAfterSeconds: w.retryAfterSeconds,
        },
      );
    }
  }
  return {
    async succeeded() {
      await Promise.all(subjects.map(({ key }) => deps.counters.add(`${key}:ok`, w.start, 1, expires)));
    },
  };
}
