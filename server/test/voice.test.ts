import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ASR_MODEL, TTS_MODEL } from "../src/llm/media-models.js";
import { DIALECTS } from "./support/databases.js";
import { expectError } from "./support/expect-error.js";
import { type Harness, createHarness, createSite, json, readSse, sendMessage, signUpOwner, startVisitor } from "./support/harness.js";
import { png, wav, webm } from "./support/media-bytes.js";
import { mp3Frames } from "./support/media-samples.js";
import { setMedia, uploadReady } from "./support/media-uploads.js";

type Visitor = Awaited<ReturnType<typeof startVisitor>>;
const TTS_PATH = "/api/v1/services/audio/tts/SpeechSynthesizer";

describe.each(DIALECTS)("voice: transcriptions and answers read aloud (%s)", (dialect) => {
  let h: Harness;
  let cookie: string;
  let site: Awaited<ReturnType<typeof createSite>>;
  let plain: Awaited<ReturnType<typeof createSite>>;

  beforeAll(async () => {
    h = await createHarness(dialect);
    ({ cookie } = await signUpOwner(h));
    site = await createSite(h, cookie, { bot: { language: "en" } });
    plain = await createSite(h, cookie, { name: "Quiet" });
    await setMedia(h, cookie, site.id, { voiceInput: true, imageInput: true, readAloud: true, voice: "longxiaoxia_v2" });
  });
  afterAll(() => h.close());
  afterEach(() => h.fake.reset());

  const transcribe = (visitor: Visitor, uploadId: string, conversationId = visitor.conversationId) =>
    h.request(`/v1/conversations/${conversationId}/transcriptions`, json({ uploadId }, visitor.headers));
  const monthTokens = async (siteId: string) =>
    (await h.deps.db.selectFrom("counters").selectAll().execute())
      .filter((r) => r.key === `quota:tokens:${siteId}`)
      .reduce((s, r) => s + Number(r.count), 0);
  const callsOf = (siteId: string, kind: "asr" | "tts") =>
    h.deps.db.selectFrom("api_calls").selectAll().where("site_id", "=", siteId).where("kind", "=", kind).orderBy("created_at").execute();

  it("makes a WAV or WebM recording text; its seconds are counted on the month's tokens and in api_calls", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    const before = await monthTokens(site.id);
    const id = await uploadReady(h, visitor, "audio", "audio/wav", wav(2000, { tone: true }));
    const res = await transcribe(visitor, id);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ text: "What is your return policy?", durationMs: 2000 });
    const asr = h.fake.requests.find((r) => r.body?.model === ASR_MODEL)!;
    expect(asr.body.messages[0].content[0].input_audio.data).toMatch(/^data:audio\/wav;base64,/);
    expect(await monthTokens(site.id)).toBe(before + 2 * 25);
    expect((await callsOf(site.id, "asr")).map((c) => [c.model, c.outcome, c.units])).toEqual([[ASR_MODEL, "ok", 2]]);

    const recorded = await uploadReady(h, visitor, "audio", "audio/webm", webm(3000));
    const again = await transcribe(visitor, recorded);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { text: string }).text).toBe("What is your return policy?");
    // the recording stays (deleted with the other media on their schedule)
    expect(await h.deps.files.has(`media/${site.id}/${recorded}`)).toBe(true);
  });

  it("says 422 no_speech for silence, rate_limited for a 429 upstream and speech_unavailable for a 500, holding no tokens after a failure", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    const silent = await uploadReady(h, visitor, "audio", "audio/wav", wav(1000, { tone: false }));
    await expectError(await transcribe(visitor, silent), 422, "no_speech");

    const clip = await uploadReady(h, visitor, "audio", "audio/wav", wav(1000, { tone: true }));
    const before = await monthTokens(site.id);
    h.fake.enqueueSpeech({ kind: "error", status: 429, code: "Throttling.RateQuota" });
    await expectError(await transcribe(visitor, clip), 429, "rate_limited");
    h.fake.enqueueSpeech({ kind: "error", status: 500, code: "InternalError" });
    await expectError(await transcribe(visitor, clip), 502, "speech_unavailable");
    expect(await monthTokens(site.id)).toBe(before);
    expect((await callsOf(site.id, "asr")).slice(-2).map((c) => [c.outcome, c.http_status])).toEqual([
      ["error", 429],
      ["error", 500],
    ]);
  });

  it("takes only this visitor's ready recording of this conversation, on a site with voice input", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    const other = await startVisitor(h, site.siteKey);
    const theirs = await uploadReady(h, other, "audio", "audio/wav", wav(1000));
    await expectError(await transcribe(visitor, theirs), 404, "not_found");
    await expectError(await transcribe(visitor, theirs, other.conversationId), 404, "not_found");
    const picture = await uploadReady(h, visitor, "image", "image/png", png(8, 8));
    await expectError(await transcribe(visitor, picture), 409, "upload_not_ready");
    const quiet = await startVisitor(h, plain.siteKey);
    await expectError(await transcribe(quiet, "media_whatever"), 403, "media_disabled");
  });

  it("reads an answer aloud: a signed link streaming MP3 frames of the text without markdown, then from the cache", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    h.fake.enqueue({ kind: "answer", text: "We open at **9am**. See [our hours](https://shop.example/hours) [1]." });
    const events = await readSse(await sendMessage(h, visitor, "When do you open?"));
    const answerId = events.at(-1)!.data.messageId;
    await h.deps.tasks.idle();
    const before = await monthTokens(site.id);

    const link = await h.request(`/v1/messages/${answerId}/speech`, { method: "POST", headers: visitor.headers });
    expect(link.status).toBe(200);
    const { url, expiresAt } = (await link.json()) as { url: string; expiresAt: string };
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(url).toContain("voice=longxiaoxia_v2");

    const first = await h.request(url);
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("audio/mpeg");
    const audio = new Uint8Array(await first.arrayBuffer());
    expect(mp3Frames(audio).length).toBeGreaterThan(0);
    const tts = h.fake.requests.filter((r) => r.path === TTS_PATH);
    expect(tts).toHaveLength(1);
    expect(tts[0].body.input).toMatchObject({ text: "We open at 9am. See our hours.", voice: "longxiaoxia_v2" });
    const characters = Array.from("We open at 9am. See our hours.").length;
    expect((await callsOf(site.id, "tts")).map((c) => [c.model, c.outcome, c.units, c.message_id])).toEqual([
      [TTS_MODEL, "ok", characters, answerId],
    ]);
    expect(await monthTokens(site.id)).toBe(before + characters);

    const second = await h.request(url);
    expect(second.status).toBe(200);
    expect(Buffer.from(await second.arrayBuffer()).equals(Buffer.from(audio))).toBe(true);
    expect(h.fake.requests.filter((r) => r.path === TTS_PATH)).toHaveLength(1);
    expect(await callsOf(site.id, "tts")).toHaveLength(1);

    // the signature is the capability: another message, voice or expiry is refused
    const forged = new URL(url);
    forged.searchParams.set("voice", "longwan_v2");
    await expectError(await h.request(forged.toString()), 404, "not_found");
    forged.searchParams.set("voice", "longxiaoxia_v2");
    forged.searchParams.set("e", String(Number(forged.searchParams.get("e")) + 60));
    await expectError(await h.request(forged.toString()), 404, "not_found");
  });

  it("answers a speech link only for the visitor's own finished answer, on a site that reads aloud; a 429 upstream is rate_limited", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    const events = await readSse(await sendMessage(h, visitor, "Hello"));
    const answerId = events.at(-1)!.data.messageId;
    const questionId = events[0].data.userMessageId;
    await h.deps.tasks.idle();
    const post = (v: Visitor, id: string) => h.request(`/v1/messages/${id}/speech`, { method: "POST", headers: v.headers });

    await expectError(await post(visitor, questionId), 404, "not_found");
    const other = await startVisitor(h, site.siteKey);
    await expectError(await post(other, answerId), 404, "not_found");
    await h.deps.db.updateTable("messages").set({ status: "streaming", checkpoint_at: Date.now() }).where("id", "=", answerId).execute();
    await expectError(await post(visitor, answerId), 409, "answer_not_ready");
    await h.deps.db.updateTable("messages").set({ status: "complete", checkpoint_at: null }).where("id", "=", answerId).execute();
    // a site that does not read aloud: its visitor's own answer is refused as disabled
    const quiet = await startVisitor(h, plain.siteKey);
    const quietAnswer = (await readSse(await sendMessage(h, quiet, "Hello"))).at(-1)!.data.messageId;
    await h.deps.tasks.idle();
    await expectError(await post(quiet, quietAnswer), 403, "media_disabled");

    const { url } = (await (await post(visitor, answerId)).json()) as { url: string };
    const before = await monthTokens(site.id);
    h.fake.enqueueTts({ kind: "error", status: 429, code: "Throttling.RateQuota" });
    await expectError(await h.request(url), 429, "rate_limited");
    expect(await monthTokens(site.id)).toBe(before);
    expect(await h.deps.files.has(`media/${site.id}/speech-${answerId}-longxiaoxia_v2`)).toBe(false);
  });
});
