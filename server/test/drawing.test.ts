import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DRAWING_FINISH_JOB } from "../src/features/drawing/drawing-job.js";
import { drawingErrorMessage } from "../src/features/drawing/drawing.messages.js";
import { mediaKey } from "../src/features/media/media.records.js";
import { insertMedia } from "../src/features/media/media.repository.js";
import { IMAGE_MODEL } from "../src/llm/media-models.js";
import { newId } from "../src/security/ids.js";
import { DIALECTS } from "./support/databases.js";
import { type Harness, createHarness, createSite, json, readSse, signUpOwner, startVisitor } from "./support/harness.js";
import { setMedia } from "./support/media-uploads.js";

type Visitor = Awaited<ReturnType<typeof startVisitor>>;
const WANX_SUBMIT = "/api/v1/services/aigc/text2image/image-synthesis";

describe.each(DIALECTS)("the bot draws (%s)", (dialect) => {
  let h: Harness;
  let cookie: string;
  let site: Awaited<ReturnType<typeof createSite>>;
  let zhSite: Awaited<ReturnType<typeof createSite>>;

  beforeAll(async () => {
    // Polls every few ms and a timeout of 300 ms instead of 1 s … 5 s and 120 s: the same steps, fast.
    h = await createHarness(dialect, {}, { drawingTimings: { firstPollMs: 10, maxPollMs: 40, timeoutMs: 300, finishAfterMs: 150_000 } });
    ({ cookie } = await signUpOwner(h));
    site = await createSite(h, cookie, { bot: { language: "en" } });
    zhSite = await createSite(h, cookie, { name: "画店", bot: { language: "zh-CN" } });
    await setMedia(h, cookie, site.id, { imageGeneration: true });
    await setMedia(h, cookie, zhSite.id, { imageGeneration: true });
  });
  afterAll(() => h.close());
  afterEach(() => h.fake.reset());

  const ask = (visitor: Visitor, content: string) =>
    h.request(`/v1/conversations/${visitor.conversationId}/messages`, json({ content }, visitor.headers));
  const imagesOf = (events: Array<{ event: string; data: any }>) => events.filter((e) => e.event === "image").map((e) => e.data);
  const textOf = (events: Array<{ event: string; data: any }>) =>
    events
      .filter((e) => e.event === "delta")
      .map((e) => e.data.text)
      .join("");
  const mediaRow = (id: string) => h.deps.db.selectFrom("media").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const imageCalls = (siteId: string) =>
    h.deps.db.selectFrom("api_calls").selectAll().where("site_id", "=", siteId).where("kind", "=", "image").execute();
  const monthImages = async (siteId: string) =>
    (await h.deps.db.selectFrom("counters").selectAll().execute())
      .filter((r) => r.key === `quota:images:${siteId}`)
      .reduce((s, r) => s + Number(r.count), 0);

  it("draws when asked: pending, running, ready events, the PNG stored and served, the answer and the transcript keep it", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    const res = await ask(visitor, "Please draw a red bicycle by the sea");
    const events = await readSse(res);
    const images = imagesOf(events);
    expect(images.map((i) => i.status)).toEqual(["pending", "running", "ready"]);
    const mediaId = images[0].mediaId;
    expect(images[0].prompt).toBe("Please draw a red bicycle by the sea");
    expect(images[2]).toMatchObject({ mediaId, width: 1024, height: 1024 });
    // the image's last event, then the words, then done
    expect(events.at(-1)!.event).toBe("done");
    expect(events.findIndex((e) => e.event === "image" && e.data.status === "ready")).toBeLessThan(events.length - 1);
    expect(textOf(events)).toBe("Here is the picture I drew for you.");

    const submit = h.fake.requests.find((r) => r.path === WANX_SUBMIT)!;
    expect(submit.body.model).toBe(IMAGE_MODEL);
    expect(submit.headers["x-dashscope-async"]).toBe("enable");
    const chat = h.fake.requests.find((r) => r.path.endsWith("/chat/completions"))!;
    expect(chat.body.tools.map((t: any) => t.function.name)).toEqual(["generate_image"]);

    const served = await h.request(images[2].url);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/png");
    const bytes = new Uint8Array(await served.arrayBuffer());
    expect(Buffer.from(bytes.subarray(1, 4)).toString()).toBe("PNG");

    await h.deps.tasks.idle();
    const answerId = events.at(-1)!.data.messageId;
    expect(await mediaRow(mediaId)).toMatchObject({
      kind: "generated",
      status: "ready",
      message_id: answerId,
      media_type: "image/png",
      prompt: "Please draw a red bicycle by the sea",
      error_code: null,
    });
    expect((await mediaRow(mediaId)).task_id).toBeTruthy();
    expect(Buffer.from((await h.deps.files.get(mediaKey(site.id, mediaId)))!).equals(Buffer.from(bytes))).toBe(true);
    const answer = await h.deps.db.selectFrom("messages").selectAll().where("id", "=", answerId).executeTakeFirstOrThrow();
    expect(answer).toMatchObject({ content: "Here is the picture I drew for you.", status: "complete" });
    expect((await imageCalls(site.id)).map((c) => [c.model, c.outcome, c.units, c.message_id])).toEqual([[IMAGE_MODEL, "ok", 1, answerId]]);
    expect(await monthImages(site.id)).toBe(1);

    const transcript = await h.request(`/api/sites/${site.id}/conversations/${visitor.conversationId}`, { headers: { cookie } });
    const detail = (await transcript.json()) as {
      messages: Array<{ role: string; attachments: Array<{ id: string; kind: string; prompt: string; url: string }> }>;
    };
    const drawn = detail.messages.find((m) => m.role === "assistant")!.attachments;
    expect(drawn).toMatchObject([{ id: mediaId, kind: "generated", prompt: "Please draw a red bicycle by the sea" }]);
    expect((await h.request(drawn[0].url)).status).toBe(200);
    const list = await h.request(`/v1/conversations/${visitor.conversationId}/messages`, { headers: visitor.headers });
    const { messages } = (await list.json()) as { messages: Array<{ attachments: Array<{ id: string }> }> };
    expect(messages.map((m) => m.attachments.map((a) => a.id))).toEqual([[], [mediaId]]);

    // the job queued with the task finds the row finished and leaves it as it is
    const jobs = await h.deps.db.selectFrom("jobs").selectAll().where("kind", "=", DRAWING_FINISH_JOB).execute();
    const job = jobs.find((j) => JSON.parse(j.payload).mediaId === mediaId)!;
    expect(Number(job.run_after)).toBeGreaterThanOrEqual(Number(answer.created_at) + 150_000);
  });

  it("a task that FAILED: a failed event with the translated message, the row failed, the picture not counted", async () => {
    const visitor = await startVisitor(h, zhSite.siteKey);
    h.fake.enqueueImage({ kind: "failed" });
    const events = await readSse(await ask(visitor, "画一只猫"));
    const images = imagesOf(events);
    expect(images.map((i) => i.status)).toEqual(["pending", "running", "failed"]);
    const message = drawingErrorMessage("image_generation_failed", "zh-CN");
    expect(images[2]).toMatchObject({ code: "image_generation_failed", message });
    expect(textOf(events)).toBe(message);
    expect(events.at(-1)!.event).toBe("done");
    await h.deps.tasks.idle();
    expect(await mediaRow(images[0].mediaId)).toMatchObject({ status: "failed", error_code: "image_generation_failed" });
    expect((await imageCalls(zhSite.id)).map((c) => [c.outcome, c.units, c.error_code])).toEqual([["error", 0, "DataInspectionFailed"]]);
    expect(await monthImages(zhSite.id)).toBe(0);
  });

  it("a task that never finishes times out", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    h.fake.enqueueImage({ kind: "never" });
    const events = await readSse(await ask(visitor, "draw a lighthouse"));
    const images = imagesOf(events);
    expect(images.map((i) => i.status)).toEqual(["pending", "running", "failed"]);
    expect(images[2]).toMatchObject({ code: "image_generation_timeout", message: drawingErrorMessage("image_generation_timeout", "en") });
    await h.deps.tasks.idle();
    expect(await mediaRow(images[0].mediaId)).toMatchObject({ status: "failed", error_code: "image_generation_timeout" });
  });

  it("over the month's pictures: image_limit, no task, no row", async () => {
    const owner = await signUpOwner(h);
    const limited = await createSite(h, owner.cookie, { bot: { language: "en" }, limits: { monthlyImages: 0 } });
    await setMedia(h, owner.cookie, limited.id, { imageGeneration: true });
    const visitor = await startVisitor(h, limited.siteKey);
    const events = await readSse(await ask(visitor, "draw a cat"));
    expect(imagesOf(events)).toEqual([
      { mediaId: expect.any(String), status: "failed", code: "image_limit", message: drawingErrorMessage("image_limit", "en") },
    ]);
    expect(textOf(events)).toBe(drawingErrorMessage("image_limit", "en"));
    expect(h.fake.requests.filter((r) => r.path === WANX_SUBMIT)).toEqual([]);
    expect(await h.deps.db.selectFrom("media").selectAll().where("site_id", "=", limited.id).execute()).toEqual([]);
    expect(await monthImages(limited.id)).toBe(0);
  });

  it("the drawing.finish job finishes a row an instance left pending: stores it, or fails it when the task is still going", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    const pending = async (prompt: string) => {
      const { taskId } = await h.deps.images.submit({ prompt, size: "1024*1024" });
      const now = h.deps.now();
      const id = newId("media");
      await insertMedia(h.deps.db, {
        id,
        siteId: site.id,
        conversationId: visitor.conversationId,
        visitorId: visitor.visitorId,
        messageId: null,
        kind: "generated",
        status: "pending",
        mediaType: "image/png",
        sizeBytes: 0,
        width: null,
        height: null,
        durationMs: null,
        storageKey: mediaKey(site.id, id),
        prompt,
        taskId,
        errorCode: null,
        createdAt: now,
        updatedAt: now,
        expiresAt: now + 86_400_000,
      });
      return { id, taskId };
    };
    const done = await pending("a boat");
    // the dead instance had polled once (RUNNING): the job's poll finds it SUCCEEDED
    await h.deps.images.poll(done.taskId);
    const running = await pending("a tree");
    const jobIds = [
      await h.deps.jobs.enqueue(DRAWING_FINISH_JOB, { mediaId: done.id }, { siteId: site.id }),
      await h.deps.jobs.enqueue(DRAWING_FINISH_JOB, { mediaId: running.id }, { siteId: site.id }),
    ];
    await h.deps.jobs.drive({ budgetMs: 10_000, onlyJobIds: jobIds });
    expect(await mediaRow(done.id)).toMatchObject({ status: "ready", media_type: "image/png", width: 1024, height: 1024 });
    expect(await h.deps.files.has(mediaKey(site.id, done.id))).toBe(true);
    expect(await mediaRow(running.id)).toMatchObject({ status: "failed", error_code: "image_generation_timeout" });
    for (const id of jobIds) expect((await h.deps.jobs.get(id))?.state).toBe("done");
  });
});
