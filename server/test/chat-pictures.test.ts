import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS } from "./support/databases.js";
import { expectError } from "./support/expect-error.js";
import { type Harness, createHarness, createSite, json, readSse, signUpOwner, startVisitor } from "./support/harness.js";
import { png, wav } from "./support/media-bytes.js";
import { imageParts, setMedia, uploadReady } from "./support/media-uploads.js";

type Visitor = Awaited<ReturnType<typeof startVisitor>>;

describe.each(DIALECTS)("messages with pictures (%s)", (dialect) => {
  let h: Harness;
  let cookie: string;
  let site: Awaited<ReturnType<typeof createSite>>;
  let plain: Awaited<ReturnType<typeof createSite>>;

  beforeAll(async () => {
    h = await createHarness(dialect);
    ({ cookie } = await signUpOwner(h));
    site = await createSite(h, cookie, { bot: { model: "qwen-plus", language: "en", maxOutputTokens: 300 } });
    plain = await createSite(h, cookie, { name: "No pictures" });
    await setMedia(h, cookie, site.id, { imageInput: true, voiceInput: true, visionModel: "qwen3-vl-plus" });
    await setMedia(h, cookie, plain.id, { voiceInput: true });
  });
  afterAll(() => h.close());
  afterEach(() => h.fake.reset());

  const send = (visitor: Visitor, body: Record<string, unknown>, conversationId = visitor.conversationId) =>
    h.request(`/v1/conversations/${conversationId}/messages`, json(body, visitor.headers));
  const chatRequests = () => h.fake.requests.filter((r) => r.path.endsWith("/chat/completions"));
  const messagesOf = (conversationId: string) =>
    h.deps.db.selectFrom("messages").selectAll().where("conversation_id", "=", conversationId).orderBy("seq").execute();

  it("answers a picture with the vision model, which sees it; the lists and the transcript show it with a working link", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    const id = await uploadReady(h, visitor, "image", "image/png", png(640, 480));
    const res = await send(visitor, { content: "What is this?", attachments: [id] });
    expect(res.status).toBe(200);
    const events = await readSse(res);
    const done = events.at(-1)!;
    expect(done.event).toBe("done");
    const text = events
      .filter((e) => e.event === "delta")
      .map((e) => e.data.text)
      .join("");
    expect(text).toContain("I see a picture of 640×480 pixels (PNG).");

    const [request] = chatRequests();
    expect(request.body.model).toBe("qwen3-vl-plus");
    const parts = imageParts(request.body);
    expect(parts).toHaveLength(1);
    expect(parts[0]).toMatch(/^data:image\/png;base64,/);

    await h.deps.tasks.idle();
    const rows = await messagesOf(visitor.conversationId);
    expect(rows.map((r) => [r.role, r.content, r.model])).toEqual([
      ["user", "What is this?", null],
      ["assistant", text, "qwen3-vl-plus"],
    ]);
    const calls = await h.deps.db.selectFrom("api_calls").selectAll().where("message_id", "=", done.data.messageId).execute();
    expect(calls.map((c) => [c.model, c.kind])).toEqual([["qwen3-vl-plus", "chat"]]);
    const media = await h.deps.db.selectFrom("media").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    expect(media.message_id).toBe(rows[0].id);

    const list = await h.request(`/v1/conversations/${visitor.conversationId}/messages`, { headers: visitor.headers });
    const { messages } = (await list.json()) as { messages: Array<{ role: string; attachments: Array<Record<string, unknown>> }> };
    expect(messages.map((m) => m.attachments.length)).toEqual([1, 0]);
    expect(messages[0].attachments[0]).toMatchObject({
      id,
      kind: "image",
      status: "ready",
      mediaType: "image/png",
      width: 640,
      height: 480,
    });
    const served = await h.request(String(messages[0].attachments[0].url));
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await served.arrayBuffer()).equals(png(640, 480))).toBe(true);

    const transcript = await h.request(`/api/sites/${site.id}/conversations/${visitor.conversationId}`, { headers: { cookie } });
    expect(transcript.status).toBe(200);
    const detail = (await transcript.json()) as { messages: Array<{ attachments: Array<{ id: string; url: string }> }> };
    expect(detail.messages.map((m) => m.attachments.map((a) => a.id))).toEqual([[id], []]);
    expect((await h.request(detail.messages[0].attachments[0].url)).status).toBe(200);
  });

  it("takes a picture without words, and later turns say [picture] instead of sending it again", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    const id = await uploadReady(h, visitor, "image", "image/png", png(32, 24));
    const first = await send(visitor, { content: "", attachments: [id] });
    expect(first.status).toBe(200);
    expect((await readSse(first)).at(-1)!.event).toBe("done");
    await h.deps.tasks.idle();

    const second = await send(visitor, { content: "And the price?" });
    expect((await readSse(second)).at(-1)!.event).toBe("done");
    const [, request] = chatRequests();
    expect(request.body.model).toBe("qwen-plus");
    expect(imageParts(request.body)).toEqual([]);
    const firstTurn = request.body.messages.find((m: { role: string }) => m.role === "user");
    expect(firstTurn.content).toBe("[picture]");
    const rows = await messagesOf(visitor.conversationId);
    expect(rows.map((r) => r.model)).toEqual([null, "qwen3-vl-plus", null, "qwen-plus"]);
  });

  it("reserves each picture's tokens on the month (kept whole when the answer is cut off without a usage report)", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    // 2000×2000 px is 5,103 patches: capped at 1,280 (+2)
    const id = await uploadReady(h, visitor, "image", "image/png", png(2000, 2000, { pixels: false }));
    const before = await monthTokens(site.id);
    h.fake.enqueue({ kind: "hang", phase: "after-first-chunk", text: "I see" });
    const res = await send(visitor, { content: "Look", attachments: [id] });
    expect((await readSse(res)).at(-1)!.event).toBe("error");
    await h.deps.tasks.idle();
    const held = (await monthTokens(site.id)) - before;
    // the picture's 1,282, the bot's 300 output tokens and a short prompt's upper bound (about 250 with framing)
    expect(held).toBeGreaterThanOrEqual(1282 + 300);
    expect(held).toBeLessThan(1282 + 300 + 400);
  });

  it("refuses what is not this visitor's ready, unsent picture, and stores nothing then", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    const other = await startVisitor(h, site.siteKey);
    const theirs = await uploadReady(h, other, "image", "image/png", png(8, 8));
    await expectError(await send(visitor, { content: "hi", attachments: [theirs] }), 404, "not_found");

    // the same visitor, another conversation
    const conv = await h.request("/v1/conversations", { method: "POST", headers: visitor.headers });
    const elsewhere = (await conv.json()) as { conversation: { id: string } };
    const mine = await uploadReady(h, visitor, "image", "image/png", png(8, 8));
    await expectError(await send(visitor, { content: "hi", attachments: [mine] }, elsewhere.conversation.id), 404, "not_found");

    const audio = await uploadReady(h, visitor, "audio", "audio/wav", wav(1000));
    await expectError(await send(visitor, { content: "hi", attachments: [audio] }), 409, "upload_not_ready");
    await expectError(await send(visitor, { content: "hi", attachments: [mine, mine] }), 409, "upload_not_ready");
    expect(await messagesOf(visitor.conversationId)).toEqual([]);

    const ok = await send(visitor, { content: "hi", attachments: [mine] });
    await readSse(ok);
    await expectError(await send(visitor, { content: "again", attachments: [mine] }), 409, "upload_not_ready");
    await h.deps.tasks.idle();
    expect((await messagesOf(visitor.conversationId)).map((r) => r.content)).toEqual(["hi", expect.any(String)]);

    const unknownId = await send(visitor, { content: "hi", attachments: ["media_nosuchthing"] });
    await expectError(unknownId, 404, "not_found");
    await expectError(await send(visitor, { content: "", attachments: [] }), 400, "invalid_body");
  });

  it("sends one picture with one message only, also when two sends race for it", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    const id = await uploadReady(h, visitor, "image", "image/png", png(8, 8));
    const results = await Promise.all([
      send(visitor, { content: "one", attachments: [id] }),
      send(visitor, { content: "two", attachments: [id] }),
    ]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409]);
    for (const r of results) await (r.status === 200 ? readSse(r) : r.text());
    await h.deps.tasks.idle();
    const rows = await messagesOf(visitor.conversationId);
    expect(rows.map((r) => r.role)).toEqual(["user", "assistant"]);
    const media = await h.deps.db.selectFrom("media").select("message_id").where("id", "=", id).executeTakeFirstOrThrow();
    expect(media.message_id).toBe(rows[0].id);
  });

  it("while a person answers, the picture goes to the team with the message, and the transcript shows it", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    await readSse(await send(visitor, { content: "hello" }));
    await h.deps.tasks.idle();
    await h.deps.db.updateTable("conversations").set({ status: "human" }).where("id", "=", visitor.conversationId).execute();
    const id = await uploadReady(h, visitor, "image", "image/png", png(16, 16));
    const events = await readSse(await send(visitor, { content: "", attachments: [id] }));
    expect(events.map((e) => e.event)).toEqual(["handoff"]);
    expect(chatRequests()).toHaveLength(1);
    const media = await h.deps.db.selectFrom("media").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    expect(media.message_id).toBe(events[0].data.userMessageId);
    const transcript = await h.request(`/api/sites/${site.id}/conversations/${visitor.conversationId}`, { headers: { cookie } });
    const detail = (await transcript.json()) as { messages: Array<{ id: string; attachments: Array<{ id: string }> }> };
    expect(detail.messages.at(-1)).toMatchObject({ id: events[0].data.userMessageId, attachments: [{ id }] });
  });

  it("answers 403 media_disabled on a site that takes no pictures", async () => {
    const visitor = await startVisitor(h, plain.siteKey);
    // a recording is allowed there (voiceInput), and is no picture to send
    const audio = await uploadReady(h, visitor, "audio", "audio/wav", wav(1000));
    await expectError(await send(visitor, { content: "hi", attachments: [audio] }), 403, "media_disabled");
    expect(await messagesOf(visitor.conversationId)).toEqual([]);
  });

  async function monthTokens(siteId: string): Promise<number> {
    const rows = await h.deps.db.selectFrom("counters").selectAll().execute();
    return rows.filter((r) => r.key === `quota:tokens:${siteId}`).reduce((sum, r) => sum + Number(r.count), 0);
  }
});
