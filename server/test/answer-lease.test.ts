import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { settleCutOffAnswers } from "../src/features/chat/chat.service.js";
import { DIALECTS } from "./support/databases.js";
import { type Harness, createHarness, createSite, readSse, sendMessage, signUpOwner, startVisitor } from "./support/harness.js";

const LEASE_MS = 1_000;
const CHUNKS = Array.from({ length: 10 }, (_, i) => `Part ${i + 1}. `);

/** Holds this whole process still, as Function Compute freezes an instance's CPU. */
const freeze = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

// An instance thawed after longer than the lease finds its own answers' leases run out before its
// checkpoint timer renews them. Those answers are alive — this instance is streaming them — so
// neither its settling timer nor a read of the conversation may take them for cut off.
describe.each(DIALECTS)("an instance thawed past the lease (%s)", (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(dialect, { ANSWER_LEASE_MS: String(LEASE_MS), LLM_TIMEOUT_MS: "10000" });
  });
  afterAll(() => h.close());

  it("does not settle the answers it is still streaming: they end complete, once", async () => {
    const { cookie } = await signUpOwner(h);
    const site = await createSite(h, cookie);
    const visitor = await startVisitor(h, site.siteKey);
    h.fake.enqueue({ kind: "answer", text: CHUNKS.join(""), chunks: CHUNKS, chunkDelayMs: 50 });
    const res = await sendMessage(h, visitor, "Still there?");
    expect(res.status).toBe(200);
    const [body, rest] = res.body!.tee();
    const reader = body.getReader();
    const decoder = new TextDecoder();
    for (let seen = ""; !seen.includes("event: delta");) seen += decoder.decode((await reader.read()).value);
    void reader.cancel();

    freeze(LEASE_MS + 500);
    // The first things to run after the thaw: the instance's settling sweep and the visitor's reload.
    const [settled, reload] = await Promise.all([
      settleCutOffAnswers(h.deps),
      h.request(`/v1/conversations/${visitor.conversationId}/messages`, { headers: visitor.headers }),
    ]);
    expect(settled).toBe(0);
    const { messages } = (await reload.json()) as { messages: Array<{ role: string; status: string }> };
    expect(messages.map((m) => [m.role, m.status])).toEqual([
      ["user", "complete"],
      ["assistant", "streaming"],
    ]);

    const events = await readSse(new Response(rest));
    expect(events.at(-1)).toMatchObject({ event: "done", data: { status: "complete" } });
    const rows = await h.deps.db
      .selectFrom("messages")
      .select(["role", "status", "content", "error_code"])
      .where("conversation_id", "=", visitor.conversationId)
      .orderBy("seq")
      .execute();
    expect(rows).toEqual([
      { role: "user", status: "complete", content: "Still there?", error_code: null },
      { role: "assistant", status: "complete", content: CHUNKS.join(""), error_code: null },
    ]);
  });
});
