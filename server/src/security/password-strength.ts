import type { ZxcvbnFactory } from "@zxcvbn-ts/core";
import { AppError } from "../errors.js";

/** zxcvbn's 0–4 scale: 3 is "safely unguessable: moderate protection from offline attacks". */
export const MIN_PASSWORD_SCORE = 3;

// Loaded on first use: the dictionaries are megabytes a server that only serves widgets never needs
// (and the bundle splits them into their own chunk).
let checker: Promise<ZxcvbnFactory> | undefined;

/**
 * The module itself: from the sources its named exports; in the bundle (build.mjs) a split-off
 * chunk of a CommonJS package exports only `default`, the module object (as ioredis in counters.ts).
 */
const moduleOf = <T extends object>(imported: T): T => {
  const commonJs = (imported as { default?: unknown }).default;
  return typeof commonJs === "object" && commonJs !== null ? (commonJs as T) : imported;
};
function loadChecker(): Promise<ZxcvbnFactory> {
  return (checker ??= (async () => {
    const [{ ZxcvbnFactory }, common, en] = await Promise.all([
      import("@zxcvbn-ts/core").then(moduleOf),
      import("@zxcvbn-ts/language-common").then(moduleOf),
      import("@zxcvbn-ts/language-en").then(moduleOf),
    ]);
    return new ZxcvbnFactory({
      dictionary: { ...common.dictionary, ...en.dictionary },
      graphs: common.adjacencyGraphs,
      translations: en.translations,
    });
  })());
}

/**
 * 400 weak_password unless zxcvbn scores the password at least MIN_PASSWORD_SCORE, with the
 * account's email (and its name part) as words an attacker would try first. The message says why,
 * in zxcvbn's English; the dashboard shows its own sentence in Chinese.
 */
export async function assertStrongPassword(password: string, email: string, field = "password"): Promise<void> {
  const result = (await loadChecker()).check(password, [email, email.split("@")[0]]);
  if (result.score >= MIN_PASSWORD_SCORE) return;
  const reason = [result.feedback.warning, ...result.feedback.suggestions].filter(Boolean).join(" ");
  const message = `This password is too easy to guess.${reason ? ` ${reason}` : ""} A few unrelated words make a strong one.`;
  throw new AppError("weak_password", message, { issues: [{ path: field, message }] });
}
