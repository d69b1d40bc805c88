import { Worker } from "node:worker_threads";
import { BUNDLED } from "../config.js";
import { AppError } from "../errors.js";
import type { CheckRequest, CheckVerdict } from "./password-check.worker.js";

/** zxcvbn's 0–4 scale: 3 is "safely unguessable: moderate protection from offline attacks". */
export const MIN_PASSWORD_SCORE = 3;

/**
 * zxcvbn runs in a thread of its own, started on the first check and ended after this long
 * without one: its dictionaries were ~40 MB of an instance's memory for good after one sign-up
 * (issue 15), for something a server that only serves widgets never needs. A check that starts
 * the thread takes ~0.1 s more; sign-ups and password changes are rare and hash a password anyway.
 */
const IDLE_MS = 30_000;

interface Checker {
  worker: Worker;
  pending: Map<number, { resolve(verdict: CheckVerdict): void; reject(err: Error): void }>;
  idle?: NodeJS.Timeout;
}

let checker: Checker | undefined;
let nextId = 0;

function startWorker(): Worker {
  if (BUNDLED) return new Worker(new URL("./password-check.worker.mjs", import.meta.url));
  // From the sources (the tests, the demo): tsx loads the worker's TypeScript, as it loads ours.
  const url = JSON.stringify(new URL("./password-check.worker.ts", import.meta.url).href);
  return new Worker(`import("tsx/esm/api").then(({ tsImport }) => tsImport(${url}, ${JSON.stringify(import.meta.url)}))`, { eval: true });
}

function currentChecker(): Checker {
  if (checker) return checker;
  const started: Checker = { worker: startWorker(), pending: new Map() };
  const fail = (err: Error) => {
    if (checker === started) checker = undefined;
    for (const { reject } of started.pending.values()) reject(err);
    started.pending.clear();
  };
  started.worker.on("message", (verdict: CheckVerdict) => {
    started.pending.get(verdict.id)?.resolve(verdict);
    started.pending.delete(verdict.id);
    if (!started.pending.size) idleThenEnd(started);
  });
  started.worker.on("error", fail);
  started.worker.on("exit", () => fail(new Error("the password checker stopped")));
  // A waiting check keeps the process alive through its promise's caller, not through the thread.
  started.worker.unref();
  return (checker = started);
}

function idleThenEnd(c: Checker): void {
  clearTimeout(c.idle);
  // A new check clears this timer (check()), so it only fires with nothing pending.
  c.idle = setTimeout(() => {
    if (checker === c) checker = undefined;
    void c.worker.terminate();
  }, IDLE_MS);
  c.idle.unref();
}

function check(password: string, userInputs: string[]): Promise<CheckVerdict> {
  const c = currentChecker();
  clearTimeout(c.idle);
  const id = nextId++;
  return new Promise((resolve, reject) => {
    c.pending.set(id, { resolve, reject });
    c.worker.postMessage({ id, password, userInputs } satisfies CheckRequest);
  });
}

/**
 * 400 weak_password unless zxcvbn scores the password at least MIN_PASSWORD_SCORE, with the
 * account's email (and its name part) as words an attacker would try first. The message says why,
 * in zxcvbn's English; the dashboard shows its own sentence in Chinese.
 */
export async function assertStrongPassword(password: string, email: string, field = "password"): Promise<void> {
  const { score, feedback } = await check(password, [email, email.split("@")[0]]);
  if (score >= MIN_PASSWORD_SCORE) return;
  const reason = feedback.join(" ");
  const message = `This password is too easy to guess.${reason ? ` ${reason}` : ""} A few unrelated words make a strong one.`;
  throw new AppError("weak_password", message, { issues: [{ path: field, message }] });
}
