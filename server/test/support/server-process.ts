import { type ChildProcess, spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect } from "vitest";
import { followLogs } from "./child-logs.js";
import type { DashScopeFake } from "../../src/llm/dashscope-fake.js";
import { SITE_ORIGIN, TEST_SECRET } from "./harness.js";

// The server as Function Compute and `npm start` run it: a process of its own, for tests that
// stop, kill or freeze it.

const ROOT = resolve(import.meta.dirname, "../../..");
/** `npm start`: the tsx CLI running main.ts (it relays SIGTERM to the server, which it runs in a child process). */
export const MAIN_ARGS = [join(ROOT, "node_modules/tsx/dist/cli.mjs"), "server/src/main.ts"];
/** node itself running main.ts, tsx as a loader: a SIGKILL or SIGSTOP reaches the server, not only the tsx CLI. */
export const NODE_MAIN_ARGS = ["--import", "tsx", "server/src/main.ts"];

/** A server's environment: its data in `dir` (SQLite unless `more` names a DATABASE_URL), the model `fake`, a free port. */
export function serverEnv(dir: string, fake: DashScopeFake, more: Record<string, string> = {}): Record<string, string> {
  return {
    DATA_DIR: dir,
    APP_SECRET: TEST_SECRET,
    PORT: "0",
    HOST: "127.0.0.1",
    DASHSCOPE_API_KEY: fake.apiKey,
    DASHSCOPE_BASE_URL: fake.url,
    // As in the harness: these suites test mechanics (limits, quotas, survival) beyond the free plan.
    DEFAULT_PLAN: "unlimited",
    ...more,
  };
}

export interface Child {
  process: ChildProcess;
  base: string;
  lines: Array<Record<string, unknown>>;
  /** Resolves with the first stdout line (parsed) that matches. */
  waitForLine(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** The server in a process of its own; `args` after node (the tsx CLI and main.ts, or an --import/-e pair). */
export async function spawnServer(args: string[], env: Record<string, string>): Promise<Child> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    // Only what the test gives: no DATABASE_URL/REDIS_URL/TEST_* from the outer environment.
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? tmpdir(), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const waiters = new Set<() => void>();
  const { lines, stderr } = followLogs(child, () => {
    for (const w of waiters) w();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once("exit", (code, signal) => {
      resolve({ code, signal, at: Date.now() });
      for (const w of waiters) w();
    }),
  );
  const waitForLine = (match: (line: Record<string, unknown>) => boolean, timeoutMs = 15_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        const found = lines.find(match);
        if (found) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          waiters.delete(check);
          clearTimeout(timer);
          reject(new Error(`server exited (${child.exitCode ?? child.signalCode}); stderr: ${stderr()}`));
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no such log line within ${timeoutMs} ms; stderr: ${stderr()}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  const listening = await waitForLine((l) => l.msg === "listening", 30_000);
  return { process: child, base: String(listening.url).replace(/\/$/, ""), lines, waitForLine, exited };
}

export const post = (base: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(base + path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

/** An owner, a site and one visitor with `n` conversations, all through the public API. */
export async function visitorWithConversations(base: string, n: number) {
  const signup = await post(base, "/api/auth/signup", {
    email: `process-${Date.now()}-${Math.random()}@example.com`,
    password: "correct horse battery",
  });
  expect(signup.status).toBe(201);
  const cookie = signup.headers.get("set-cookie")!.split(";")[0];
  const created = await post(base, "/api/sites", { name: "Shop", allowedOrigins: [SITE_ORIGIN] }, { cookie });
  expect(created.status).toBe(201);
  const { site } = await created.json();
  const session = await post(base, `/v1/widget/${site.siteKey}/sessions`, {}, { origin: SITE_ORIGIN });
  expect(session.status).toBe(201);
  const { token } = await session.json();
  const headers = { origin: SITE_ORIGIN, authorization: `Bearer ${token}` };
  const conversations: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await post(base, "/v1/conversations", {}, headers);
    expect(res.status).toBe(201);
    conversations.push((await res.json()).conversation.id);
  }
  return { headers, conversations };
}
