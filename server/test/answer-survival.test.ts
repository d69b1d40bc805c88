import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Db, openDatabase } from "../src/db/database.js";
import { type DashScopeFake, startDashScopeFake } from "../src/llm/dashscope-fake.js";
import { DIALECTS, type TestDatabase, createTestDatabase } from "./support/databases.js";
import { type Child, NODE_MAIN_ARGS, post, serverEnv, spawnServer, visitorWithConversations } from "./support/server-process.js";

// What Function Compute does to an instance — kill it, freeze its CPU, cut its connections — must
// never leave a visitor's question without an answer row, nor an answer stored more than one
// checkpoint behind what the visitor saw. Real server processes on one database, signalled.

const LEASE_MS = 2_000;
/** How often a streaming answer's text is written (checkpoints.ts). */
const CHECKPOINT_MS = 1_000;
const CHUNKS = Array.from({ length: 60 }, (_, i) => `Word ${i + 1}. `);
const FULL_TEXT = CHUNKS.join("");
/** 60 chunks, 100 ms apart: six seconds of streaming. */
const SLOW = { kind: "answer" as const, text: FULL_TEXT, chunks: CHUNKS, chunkDelayMs: 100 };

describe.each(DIALECTS)("answers survive killed and frozen instances (%s)", (dialect) => {
  let fake: DashScopeFake;
  let database: TestDatabase;
  let db: Db;
  let dir: string;
  const children: Child[] = [];

  beforeAll(async () => {
    fake = await startDashScopeFake();
    database = await createTestDatabase(dialect);
    dir = mkdtempSync(join(tmpdir(), "bc-survival-"));
    // The schema, before two servers start on one database.
    db = (await openDatabase(database.url)).db;
    const { migrateToLatest } = await import("../src/db/migrate.js");
    await migrateToLatest(db);
  });
  afterEach(() => {
    fake.reset();
    for (const child of children.splice(0)) {
      child.process.kill("SIGCONT");
      if (child.process.exitCode === null) child.process.kill("SIGKILL");
    }
  });
  afterAll(async () => {
    await fake.close();
    await db.destroy();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const server = async (env: Record<string, string> = {}) => {
    const child = await spawnServer(
      NODE_MAIN_ARGS,
      serverEnv(dir, fake, { DATABASE_URL: database.url, LLM_TIMEOUT_MS: "2000", ANSWER_LEASE_MS: String(LEASE_MS), ...env }),
    );
    children.push(child);
    return child;
  };

  const answers = (conversationId: string) =>
    db
      .selectFrom("messages")
      .select(["role", "content", "status", "error_code"])
      .where("conversation_id", "=", conversationId)
      .orderBy("seq")
      .execute();

  const until = async <T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (done(value) || Date.now() > deadline) return value;
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  /** Posts a question and reads its stream, noting when each piece of text arrived. */
  async function ask(base: string, headers: Record<string, string>, conversationId: string, content: string) {
    const controller = new AbortController();
    const res = await fetch(`${base}/v1/conversations/${conversationId}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ content }),
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    const seen: Array<{ at: number; text: string }> = [];
    let text = "";
    let buffered = "";
    const decoder = new TextDecoder();
    const reading = (async () => {
      const reader = res.body!.getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffered += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffered.indexOf("\n\n")) >= 0) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (/^event: delta$/m.test(block) && data) {
            text += (JSON.parse(data) as { text: string }).text;
            seen.push({ at: Date.now(), text });
          }
        }
      }
    })().catch(() => {}); // cut by the kill, or by the visitor leaving
    return {
      seen,
      text: () => text,
      /** the text the visitor had seen at `at` */
      textAt: (at: number) => seen.filter((s) => s.at <= at).at(-1)?.text ?? "",
      leave: () => controller.abort(),
      reading,
    };
  }

  it("SIGKILL while an answer streams: after a restart it is partial with the text up to a checkpoint before the kill, and the question can be answered again", async () => {
    const a = await server();
    const { headers, conversations } = await visitorWithConversations(a.base, 2);
    const [conversationId, otherId] = conversations;
    // A second answer streaming beside it: the instance checkpoints both in one statement.
    const OTHER = CHUNKS.map((c) => c.replace("Word", "Other"));
    fake.enqueue(SLOW, { ...SLOW, chunks: OTHER, text: OTHER.join("") });
    const chat = await ask(a.base, headers, conversationId, "Tell me a long story");
    const other = await ask(a.base, headers, otherId, "And another");
    while (chat.seen.length < 25 || other.seen.length < 20) await new Promise((r) => setTimeout(r, 20)); // seconds of text

    a.process.kill("SIGKILL");
    const killedAt = Date.now();
    await a.exited;
    const [question, cut] = await answers(conversationId);
    expect(question).toMatchObject({ role: "user", content: "Tell me a long story", status: "complete" });
    // The row was there all along, marked as being written.
    expect(cut).toMatchObject({ role: "assistant", status: "streaming" });

    // Another instance (the restart) settles them once the lease has run out: at start-up, on its
    // timer, or when the conversation is read.
    const b = await server();
    for (const [id, stream] of [
      [conversationId, chat],
      [otherId, other],
    ] as const) {
      const settled = await until(
        () => answers(id),
        (rows) => rows[1].status !== "streaming",
      );
      expect(settled).toHaveLength(2);
      expect(settled[1]).toMatchObject({ role: "assistant", status: "partial", error_code: "instance_lost" });
      expect(stream.text().startsWith(settled[1].content)).toBe(true);
      // Never more than one checkpoint behind what the visitor saw (plus the time a write takes).
      expect(settled[1].content.length).toBeGreaterThanOrEqual(stream.textAt(killedAt - CHECKPOINT_MS - 500).length);
      expect(settled[1].content.length).toBeGreaterThan(0);
    }

    // The visitor who reloads sees it cut off; the question can be answered again.
    const listed = await (await fetch(`${b.base}/v1/conversations/${conversationId}/messages`, { headers })).json();
    expect(listed.messages.map((m: { role: string; status: string }) => [m.role, m.status])).toEqual([
      ["user", "complete"],
      ["assistant", "partial"],
    ]);
    fake.enqueue({ kind: "answer", text: "The story, in full." });
    const retry = await post(b.base, `/v1/conversations/${conversationId}/retry`, { userMessageId: listed.messages[0].id }, headers);
    expect(retry.status).toBe(200);
    expect(await retry.text()).toMatch(/event: done\ndata: \{"messageId":"[^"]+","status":"complete"/);
    expect((await answers(conversationId)).map((m) => [m.role, m.status])).toEqual([
      ["user", "complete"],
      ["assistant", "partial"],
      ["assistant", "complete"],
    ]);
  }, 60_000);

  it("SIGSTOP after the visitor left, held past the model's timeout, then SIGCONT: the answer ends partial or complete, once", async () => {
    const a = await server();
    const { headers, conversations } = await visitorWithConversations(a.base, 1);
    const [conversationId] = conversations;
    fake.enqueue({ ...SLOW, chunks: CHUNKS.slice(0, 30), text: CHUNKS.slice(0, 30).join("") });
    const chat = await ask(a.base, headers, conversationId, "Tell me, then I go");
    while (chat.seen.length < 3) await new Promise((r) => setTimeout(r, 20));
    chat.leave();
    await new Promise((r) => setTimeout(r, 100));

    a.process.kill("SIGSTOP"); // Function Compute freezes an instance with no request in flight
    await new Promise((r) => setTimeout(r, 3_500)); // past LLM_TIMEOUT_MS (2 s)
    a.process.kill("SIGCONT");

    const rows = await until(
      () => answers(conversationId),
      (r) => r.length === 2 && r[1].status !== "streaming",
    );
    expect(rows).toHaveLength(2);
    expect(["partial", "complete"]).toContain(rows[1].status);
    expect(rows[1].content.length).toBeGreaterThan(0);
    expect(CHUNKS.slice(0, 30).join("").startsWith(rows[1].content)).toBe(true);
  }, 60_000);

  it("frozen past its lease while another instance settles it: the thawed instance does not write it again", async () => {
    const a = await server();
    const b = await server();
    const { headers, conversations } = await visitorWithConversations(a.base, 1);
    const [conversationId] = conversations;
    fake.enqueue(SLOW);
    const chat = await ask(a.base, headers, conversationId, "And if it freezes?");
    while (chat.seen.length < 15) await new Promise((r) => setTimeout(r, 20));
    chat.leave();
    a.process.kill("SIGSTOP");

    // B settles it from its last checkpoint (its timer, or a read of the conversation).
    const settled = await until(
      async () => (await (await fetch(`${b.base}/v1/conversations/${conversationId}/messages`, { headers })).json()).messages,
      (messages: Array<{ role: string; status: string; content: string }>) => messages[1]?.status === "partial",
    );
    expect(settled.map((m: { role: string; status: string }) => [m.role, m.status])).toEqual([
      ["user", "complete"],
      ["assistant", "partial"],
    ]);
    const checkpointed = settled[1].content as string;
    expect(checkpointed.length).toBeGreaterThan(0);

    a.process.kill("SIGCONT");
    await a.waitForLine((l) => l.msg === "answer settled elsewhere", 15_000);
    const rows = await answers(conversationId);
    expect(rows.map((r) => [r.role, r.status, r.content])).toEqual([
      ["user", "complete", "And if it freezes?"],
      ["assistant", "partial", checkpointed],
    ]);
  }, 60_000);

  it("a live answer is never settled by another instance, even one that reads it all along and waits longer than a lease for its first word", async () => {
    const a = await server({ LLM_TIMEOUT_MS: "6000" });
    const b = await server();
    const { headers, conversations } = await visitorWithConversations(a.base, 1);
    const [conversationId] = conversations;
    // The first word after 1.5 leases (the model thinking), then 3 s of text.
    fake.enqueue({ ...SLOW, chunks: CHUNKS.slice(0, 30), text: CHUNKS.slice(0, 30).join(""), firstChunkDelayMs: 3_000 });
    const res = await post(a.base, `/v1/conversations/${conversationId}/messages`, { content: "Take your time" }, headers);
    const body = res.text();
    const statuses = new Set<string>();
    let ended = false;
    void body.then(() => (ended = true));
    while (!ended) {
      const listed = await (await fetch(`${b.base}/v1/conversations/${conversationId}/messages`, { headers })).json();
      for (const m of listed.messages.slice(1)) statuses.add(m.status);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(await body).toContain("event: done");
    // Streaming all along, never settled (partial, error); a read between the answer's final write
    // and the end of its response body may already see it complete.
    expect(statuses.has("streaming")).toBe(true);
    expect([...statuses].filter((status) => status !== "streaming" && status !== "complete")).toEqual([]);
    expect((await answers(conversationId)).map((r) => [r.role, r.status, r.content])).toEqual([
      ["user", "complete", "Take your time"],
      ["assistant", "complete", CHUNKS.slice(0, 30).join("")],
    ]);
  }, 60_000);
});
