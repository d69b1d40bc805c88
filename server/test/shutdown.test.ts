import { mkdtempSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type DashScopeFake, startDashScopeFake } from "../src/llm/dashscope-fake.js";
import { type Child, MAIN_ARGS, post, serverEnv, spawnServer, visitorWithConversations } from "./support/server-process.js";
import { type OpenStream, untilFirstDelta } from "./support/sse-stream.js";

// SIGTERM to the real process, as Function Compute (or `kill`) sends it: the listener closes at
// once, the answers streaming at that moment finish and are stored, and the process exits 0 —
// within a bound even when an answer would go on for longer.

/** 300 characters: 75 chunks of ~4 code points at 20 ms, so about 1.5 s of streaming. */
const SLOW_TEXT = "The server keeps streaming while it shuts down. ".repeat(7).slice(0, 300);

/** Posts a message and resolves once the first `delta` arrived (the answer is streaming); the rest is read in the background. */
async function startChat(base: string, headers: Record<string, string>, conversationId: string, content: string): Promise<OpenStream> {
  return untilFirstDelta(await post(base, `/v1/conversations/${conversationId}/messages`, { content }, headers));
}

/** A request on a brand-new TCP connection: what any new client does. */
function freshConnectionRequest(base: string): Promise<{ status?: number; error?: string }> {
  return new Promise((resolve) => {
    const req = httpRequest(`${base}/health`, { agent: false, timeout: 3_000 }, (res) => {
      res.resume();
      resolve({ status: res.statusCode });
    });
    req.on("timeout", () => req.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" })));
    req.on("error", (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    req.end();
  });
}

function storedMessages(dir: string) {
  const db = new SQLite(join(dir, "bailian-chat.sqlite"), { readonly: true });
  try {
    const messages = db
      .prepare("select conversation_id, role, content, status, error_code from messages order by conversation_id, seq")
      .all() as Array<{ conversation_id: string; role: string; content: string; status: string; error_code: string | null }>;
    const calls = db.prepare("select conversation_id, outcome, error_code from api_calls").all() as Array<{
      conversation_id: string;
      outcome: string;
      error_code: string | null;
    }>;
    return { messages, calls };
  } finally {
    db.close();
  }
}

describe("graceful shutdown on SIGTERM (a real process)", () => {
  let fake: DashScopeFake;
  const dirs: string[] = [];
  const children: Child[] = [];

  beforeAll(async () => {
    fake = await startDashScopeFake();
  });
  afterEach(() => {
    fake.reset();
    // A failed test must not leave a server behind.
    for (const child of children.splice(0)) if (child.process.exitCode === null) child.process.kill("SIGKILL");
  });
  afterAll(async () => {
    await fake.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("stops accepting at once, lets the streams in flight finish, stores them, and exits 0", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bc-shutdown-"));
    dirs.push(dir);
    // `npm start`: the tsx CLI running main.ts, with the default grace period.
    const child = await spawnServer(MAIN_ARGS, serverEnv(dir, fake));
    children.push(child);
    const { headers, conversations } = await visitorWithConversations(child.base, 3);

    fake.enqueue(...conversations.map(() => ({ kind: "answer" as const, text: SLOW_TEXT, chunkDelayMs: 20 })));
    const streams = await Promise.all(conversations.map((id, i) => startChat(child.base, headers, id, `Question ${i}`)));

    const sentAt = Date.now();
    child.process.kill("SIGTERM");
    await child.waitForLine((l) => l.msg === "shutting down");
    // The listener is closed by the time the process says so: a new connection is refused.
    const refused = await freshConnectionRequest(child.base);
    expect(refused.status).toBeUndefined();
    expect(refused.error).toBe("ECONNREFUSED");

    // Every stream that was running goes on to its end.
    for (const stream of streams) {
      const events = await stream.events;
      expect(
        events
          .filter((e) => e.event === "delta")
          .map((e) => e.data.text)
          .join(""),
      ).toBe(SLOW_TEXT);
      expect(events.at(-1)).toMatchObject({ event: "done", data: { status: "complete" } });
    }
    const exit = await child.exited;
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
    const shutdownMs = exit.at - sentAt;
    // The streams had ~1.5 s left; far from the 25 s grace period.
    expect(shutdownMs).toBeLessThan(10_000);
    console.info(`[shutdown] SIGTERM with 3 answers streaming → exit 0 after ${shutdownMs} ms`);

    // Stored: each question and its whole answer, with its api_calls row.
    const { messages, calls } = storedMessages(dir);
    for (const [i, id] of conversations.entries()) {
      expect(messages.filter((m) => m.conversation_id === id).map((m) => [m.role, m.content, m.status])).toEqual([
        ["user", `Question ${i}`, "complete"],
        ["assistant", SLOW_TEXT, "complete"],
      ]);
      expect(calls.filter((c) => c.conversation_id === id).map((c) => c.outcome)).toEqual(["ok"]);
    }
  }, 60_000);

  it("cuts a stream that would outlast the grace period at the bound, stores it as partial, and still exits 0", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bc-shutdown-"));
    dirs.push(dir);
    const graceMs = 1_000;
    // main() itself (its signal handling and exit codes), with a short grace period.
    const child = await spawnServer(
      [
        "--import",
        "tsx",
        "--input-type=module",
        "-e",
        `import { main } from "./server/src/main.ts"; main(process.env, { shutdownGraceMs: ${graceMs} });`,
      ],
      serverEnv(dir, fake),
    );
    children.push(child);
    const { headers, conversations } = await visitorWithConversations(child.base, 1);

    // 400 chunks at 25 ms: about 10 s, ten times the grace period.
    const longText = "An answer far longer than the time a stop allows. ".repeat(40).slice(0, 1_600);
    fake.enqueue({ kind: "answer", text: longText, chunkDelayMs: 25 });
    const stream = await startChat(child.base, headers, conversations[0], "Tell me everything");

    const sentAt = Date.now();
    child.process.kill("SIGTERM");
    const events = await stream.events;
    const received = events
      .filter((e) => e.event === "delta")
      .map((e) => e.data.text)
      .join("");
    expect(received.length).toBeGreaterThan(0);
    expect(received.length).toBeLessThan(longText.length);
    expect(longText.startsWith(received)).toBe(true);
    // The visitor is told the answer was cut, and which stored message it is.
    const last = events.at(-1)!;
    expect(last).toMatchObject({ event: "error", data: { code: "answer_interrupted", status: "partial" } });
    expect(typeof last.data.messageId).toBe("string");

    const exit = await child.exited;
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
    const shutdownMs = exit.at - sentAt;
    expect(shutdownMs).toBeGreaterThanOrEqual(graceMs - 50);
    expect(shutdownMs).toBeLessThan(graceMs + 5_000);
    console.info(`[shutdown] SIGTERM with an answer outlasting a ${graceMs} ms grace period → cut, stored, exit 0 after ${shutdownMs} ms`);
    expect(child.lines.some((l) => l.msg === "shutdown grace period over: cutting answers in flight")).toBe(true);

    // Stored exactly as the visitor saw it: the text so far, as partial, and the call's row.
    const { messages, calls } = storedMessages(dir);
    expect(messages.map((m) => [m.role, m.content, m.status])).toEqual([
      ["user", "Tell me everything", "complete"],
      ["assistant", received, "partial"],
    ]);
    expect(calls.map((c) => [c.outcome, c.error_code])).toEqual([["partial", "aborted"]]);
  }, 60_000);
});
