import { ApiError } from "../api/api-client.js";
import { type Msg, errorMsg } from "../i18n/lang.js";

/**
 * The account's failures as the forms show them: when a throttled sign-in may be tried again
 * (Retry-After, in minutes), and why a password was refused (the server's reason in English,
 * a sentence of our own in Chinese).
 */
export function accountErrorMsg(err: unknown, { signIn = false } = {}): Msg {
  // Failed sign-ins are throttled for minutes; a 1-second Retry-After is the server being busy hashing.
  if (signIn && err instanceof ApiError && err.code === "rate_limited" && err.retryAfterSeconds && err.retryAfterSeconds > 1) {
    const minutes = Math.max(1, Math.ceil(err.retryAfterSeconds / 60));
    return (s) => s.account.tryAgainIn(minutes);
  }
  if (err instanceof ApiError && err.code === "weak_password") return (s) => s.account.weakReason(err.message);
  return errorMsg(err);
}
