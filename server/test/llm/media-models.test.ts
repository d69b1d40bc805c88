import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LlmError } from "../../src/llm/chat-model.js";
import { type DashScopeFake, startDashScopeFake } from "../../src/llm/dashscope-fake.js";
import { createImageGenerator, MAX_IMAGE_BYTES } from "../../src/llm/image-generator.js";
import { createSpeechRecognizer } from "../../src/llm/speech-recognizer.js";
import { createSpeechSynthesizer } from "../../src/llm/speech-synthesizer.js";
import { mp3Frames, wav } from "../support/media-samples.js";

let fake: DashScopeFake;
const options = () => ({ baseUrl: fake.url, nativeBaseUrl: fake.nativeUrl, apiKey: fake.apiKey, timeoutMs: 3000 });
const recognizer = () => createSpeechRecognizer(options());
const synthesizer = () => createSpeechSynthesizer(options());
const images = () => createImageGenerator(options());

beforeAll(async () => {
  fake = await startDashScopeFake();
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

async function failure(promise: Promise<unknown>): Promise<LlmError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LlmError);
  return err as LlmError;
}

async function drain(chunks: AsyncIterable<Uint8Array>): Promise<{ pieces: Uint8Array[]; bytes: Buffer }> {
  const pieces: Uint8Array[] = [];
  for await (const c of chunks) pieces.push(c);
  return { pieces, bytes: Buffer.concat(pieces) };
}

describe("speech recognition (qwen3-asr-flash through the openai SDK)", () => {
  it("recognises a Chinese clip in one non-stream request with the audio as a data: URL, and reports its seconds", async () => {
    const clip = wav(2);
    const result = await recognizer().recognize({ audio: clip, mediaType: "audio/wav", language: "zh" });
    expect(result.text).toBe("你们的退货政策是什么？");
    expect(result.seconds).toBe(2);
    expect(result.requestId).toMatch(/^[0-9a-f-]{36}$/);

    const [request] = fake.requests;
    expect(request!.path).toBe("/compatible-mode/v1/chat/completions");
    expect(request!.body).toMatchObject({ model: "qwen3-asr-flash", stream: false, asr_options: { enable_itn: true, language: "zh" } });
    expect(request!.body.messages).toEqual([
      { role: "user", content: [{ type: "input_audio", input_audio: { data: `data:audio/wav;base64,${clip.toString("base64")}` } }] },
    ]);
  });

  it("recognises English when the visitor's language is English", async () => {
    const result = await recognizer().recognize({ audio: wav(1), mediaType: "audio/wav", language: "en" });
    expect(result.text).toBe("What is your return policy?");
    expect(fake.requests[0]!.body.asr_options).toEqual({ enable_itn: true, language: "en" });
  });

  it("sends no language when it is not known (DashScope detects it)", async () => {
    const result = await recognizer().recognize({ audio: new Uint8Array(8000), mediaType: "audio/webm", language: null });
    expect(fake.requests[0]!.body.asr_options).toEqual({ enable_itn: true });
    expect(fake.requests[0]!.body.messages[0].content[0].input_audio.data).toMatch(/^data:audio\/webm;base64,/);
    expect(result.text).toBe("你们的退货政策是什么？");
    // a clip the fake cannot measure: from its size (4,000 bytes a second)
    expect(result.seconds).toBe(2);
  });

  it("answers an empty text for a clip that is all silence", async () => {
    const result = await recognizer().recognize({ audio: wav(3, false), mediaType: "audio/wav", language: "en" });
    expect(result.text).toBe("");
    expect(result.seconds).toBe(3);
  });

  it("says rate_limited on a 429 (retryable) and unavailable on a 500", async () => {
    fake.enqueueSpeech({ kind: "error", status: 429, code: "limit_requests" }, { kind: "error", status: 500, code: "internal_error" });
    const limited = await failure(recognizer().recognize({ audio: wav(1), mediaType: "audio/wav", language: "zh" }));
    expect(limited.kind).toBe("rate_limited");
    expect(limited.retryable).toBe(true);
    expect(limited.info).toMatchObject({ status: 429, upstreamCode: "limit_requests" });
    const down = await failure(recognizer().recognize({ audio: wav(1), mediaType: "audio/wav", language: "zh" }));
    expect(down.kind).toBe("unavailable");
  });

  it("the fake streams a recognition when asked, and refuses a request without audio", async () => {
    const post = (body: unknown) =>
      fetch(`${fake.url}/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${fake.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const data = `data:audio/wav;base64,${wav(1).toString("base64")}`;
    const streamed = await post({
      model: "qwen3-asr-flash",
      stream: true,
      asr_options: { language: "en" },
      messages: [{ role: "user", content: [{ type: "input_audio", input_audio: { data } }] }],
    });
    const deltas = (await streamed.text())
      .split("\n\n")
      .filter((e) => e.startsWith("data: {"))
      .map((e) => JSON.parse(e.slice(6)).choices[0]?.delta?.content ?? "");
    expect(deltas.join("")).toBe("What is your return policy?");
    const empty = await post({ model: "qwen3-asr-flash", messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }] });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: { code: string } }).error.code).toBe("invalid_parameter_error");
  });

  it("says auth for a key DashScope refuses, and without any key", async () => {
    const err = await failure(recognizer().recognize({ audio: wav(1), mediaType: "audio/wav", language: "zh", apiKey: "sk-wrong" }));
    expect(err.kind).toBe("auth");
    const none = createSpeechRecognizer({ baseUrl: fake.url, timeoutMs: 1000 });
    expect((await failure(none.recognize({ audio: wav(1), mediaType: "audio/wav", language: "zh" }))).kind).toBe("auth");
  });
});

describe("speech synthesis (CosyVoice over HTTP with SSE)", () => {
  it("streams valid MP3 frames in several pieces and reports the billed characters", async () => {
    const stream = await synthesizer().synthesize({ text: "你好，欢迎光临。", voice: "longxiaochun_v2" });
    expect(stream.mediaType).toBe("audio/mpeg");
    const { pieces, bytes } = await drain(stream.chunks);
    expect(pieces.length).toBeGreaterThan(2);
    const frames = mp3Frames(bytes);
    expect(frames.length).toBeGreaterThan(20);
    // a Chinese character bills two, punctuation in the CJK range too
    expect(stream.characters()).toBe(16);
    expect(stream.requestId).toMatch(/^[0-9a-f-]{36}$/);

    const [request] = fake.requests;
    expect(request!.path).toBe("/api/v1/services/audio/tts/SpeechSynthesizer");
    expect(request!.headers["x-dashscope-sse"]).toBe("enable");
    expect(request!.body).toEqual({
      model: "cosyvoice-v2",
      input: { text: "你好，欢迎光临。", voice: "longxiaochun_v2", format: "mp3", sample_rate: 22050 },
    });
  });

  it("makes longer audio for a longer text", async () => {
    const short = await drain((await synthesizer().synthesize({ text: "Hi.", voice: "longxiaochun_v2" })).chunks);
    const long = await drain(
      (await synthesizer().synthesize({ text: "Hello, and welcome to our shop. How can I help?", voice: "longxiaochun_v2" })).chunks,
    );
    expect(mp3Frames(long.bytes).length).toBeGreaterThan(mp3Frames(short.bytes).length * 4);
  });

  it("throws before any audio for an error DashScope answers, as JSON or as an SSE error event", async () => {
    fake.enqueueTts(
      { kind: "error", status: 429, code: "Throttling.RateQuota" },
      { kind: "error", status: 400, code: "InvalidParameter", message: "voice is not supported", framing: "sse" },
    );
    const limited = await failure(synthesizer().synthesize({ text: "你好", voice: "longxiaochun_v2" }));
    expect(limited.kind).toBe("rate_limited");
    expect(limited.info).toMatchObject({ status: 429, upstreamCode: "Throttling.RateQuota" });
    const refused = await failure(synthesizer().synthesize({ text: "你好", voice: "nobody" }));
    expect(refused.kind).toBe("bad_request");
    expect(refused.message).toBe("voice is not supported");
    expect(refused.info.upstreamCode).toBe("InvalidParameter");
  });

  it("throws from the chunks when the stream is cut off after some audio", async () => {
    fake.enqueueTts({ kind: "cut", afterEvents: 1 });
    const stream = await synthesizer().synthesize({ text: "你好，欢迎光临我们的小店。", voice: "longxiaochun_v2" });
    const got: Uint8Array[] = [];
    const err = await failure(
      (async () => {
        for await (const c of stream.chunks) got.push(c);
      })(),
    );
    expect(err.kind).toBe("connection");
    expect(got.length).toBe(1);
  });

  it("says auth for a key DashScope refuses (shape D)", async () => {
    const err = await failure(synthesizer().synthesize({ text: "你好", voice: "longxiaochun_v2", apiKey: "sk-wrong" }));
    expect(err.kind).toBe("auth");
    expect(err.info).toMatchObject({ status: 401, upstreamCode: "InvalidApiKey" });
  });

  it("times out when the first audio does not come in time", async () => {
    const silent = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(":\n\n");
    });
    const base = await listen(silent);
    try {
      const slow = createSpeechSynthesizer({ nativeBaseUrl: `${base}/api/v1`, apiKey: "k", timeoutMs: 200 });
      expect((await failure(slow.synthesize({ text: "你好", voice: "v" }))).kind).toBe("timeout");
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});

describe("drawing (Wanx text-to-image tasks)", () => {
  it("submits with the async header, polls RUNNING then SUCCEEDED, and downloads the PNG", async () => {
    const generator = images();
    const { taskId, requestId } = await generator.submit({ prompt: "一只橘猫在窗台上", size: "1024*1024" });
    expect(taskId).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const [request] = fake.requests;
    expect(request!.path).toBe("/api/v1/services/aigc/text2image/image-synthesis");
    expect(request!.headers["x-dashscope-async"]).toBe("enable");
    expect(request!.body).toEqual({
      model: "wanx2.1-t2i-turbo",
      input: { prompt: "一只橘猫在窗台上" },
      parameters: { size: "1024*1024", n: 1, prompt_extend: true, watermark: false },
    });

    expect(await generator.poll(taskId)).toMatchObject({ status: "RUNNING", urls: [] });
    const done = await generator.poll(taskId);
    expect(done).toMatchObject({ status: "SUCCEEDED", code: null, message: null });
    expect(done.urls).toHaveLength(1);
    expect(fake.requests.at(-1)!.path).toBe(`/api/v1/tasks/${taskId}`);

    const picture = await generator.download(done.urls[0]!);
    expect(picture.mediaType).toBe("image/png");
    const png = Buffer.from(picture.bytes);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1024, 1024]);
  });

  it("makes the size asked for", async () => {
    const generator = images();
    const { taskId } = await generator.submit({ prompt: "a lighthouse", size: "720*1280" });
    await generator.poll(taskId);
    const png = Buffer.from((await generator.download((await generator.poll(taskId)).urls[0]!)).bytes);
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([720, 1280]);
  });

  it("reports FAILED with DashScope's code and message", async () => {
    fake.enqueueImage({ kind: "failed" });
    const generator = images();
    const { taskId } = await generator.submit({ prompt: "something", size: "1024*1024" });
    await generator.poll(taskId);
    expect(await generator.poll(taskId)).toMatchObject({
      status: "FAILED",
      urls: [],
      code: "DataInspectionFailed",
      message: expect.stringMatching(/inappropriate/),
    });
  });

  it("keeps a task that never finishes RUNNING", async () => {
    fake.enqueueImage({ kind: "never" });
    const generator = images();
    const { taskId } = await generator.submit({ prompt: "something", size: "1024*1024" });
    for (let i = 0; i < 4; i++) expect((await generator.poll(taskId)).status).toBe("RUNNING");
  });

  it("takes faults over its control endpoint too (POST /__fake/enqueue?for=image)", async () => {
    const queued = await fetch(`${fake.origin}/__fake/enqueue?for=image`, {
      method: "POST",
      body: JSON.stringify({ kind: "failed", code: "InternalError" }),
    });
    expect(queued.status).toBe(200);
    const generator = images();
    const { taskId } = await generator.submit({ prompt: "something", size: "1024*1024" });
    await generator.poll(taskId);
    expect(await generator.poll(taskId)).toMatchObject({ status: "FAILED", code: "InternalError" });
  });

  it("answers UNKNOWN for a task DashScope does not know", async () => {
    expect(await images().poll("no-such-task")).toMatchObject({ status: "UNKNOWN", urls: [] });
  });

  it("throws from download when the result URL is gone (404)", async () => {
    fake.enqueueImage({ kind: "missing-result" });
    const generator = images();
    const { taskId } = await generator.submit({ prompt: "something", size: "1024*1024" });
    await generator.poll(taskId);
    const done = await generator.poll(taskId);
    expect(done.status).toBe("SUCCEEDED");
    const err = await failure(generator.download(done.urls[0]!));
    expect(err.info.status).toBe(404);
    expect(err.retryable).toBe(false);
  });

  it("says rate_limited when the submit is throttled, auth for a refused key", async () => {
    fake.enqueueImage({ kind: "error", status: 429, code: "Throttling.RateQuota" });
    expect((await failure(images().submit({ prompt: "x", size: "1024*1024" }))).kind).toBe("rate_limited");
    const err = await failure(images().poll("any", { apiKey: "sk-wrong" }));
    expect(err.kind).toBe("auth");
    expect(err.info.upstreamCode).toBe("InvalidApiKey");
  });

  it("the fake refuses a submit without X-DashScope-Async (403) and any call without the Bearer key (401)", async () => {
    const body = JSON.stringify({ model: "wanx2.1-t2i-turbo", input: { prompt: "x" }, parameters: { size: "1024*1024", n: 1 } });
    const sync = await fetch(`${fake.nativeUrl}/services/aigc/text2image/image-synthesis`, {
      method: "POST",
      headers: { authorization: `Bearer ${fake.apiKey}`, "content-type": "application/json" },
      body,
    });
    expect(sync.status).toBe(403);
    expect(await sync.json()).toMatchObject({ code: "AccessDenied", message: "current user api does not support synchronous calls." });
    const anonymous = await fetch(`${fake.nativeUrl}/tasks/x`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ code: "InvalidApiKey" });
  });

  it("refuses a download over 20 MB, declared or not", async () => {
    const big = createServer((req, res) => {
      if (req.url === "/declared") {
        res.writeHead(200, { "content-type": "image/png", "content-length": MAX_IMAGE_BYTES + 1 });
        res.write(Buffer.alloc(1024));
        return;
      }
      res.writeHead(200, { "content-type": "image/png" });
      const piece = Buffer.alloc(1024 * 1024);
      let sent = 0;
      const more = () => {
        while (sent <= MAX_IMAGE_BYTES / piece.length) {
          sent++;
          if (!res.write(piece)) return void res.once("drain", more);
        }
        res.end();
      };
      more();
    });
    big.on("clientError", () => {});
    const base = await listen(big);
    try {
      expect((await failure(images().download(`${base}/declared`))).message).toMatch(/too large/);
      expect((await failure(images().download(`${base}/chunked`))).message).toMatch(/too large/);
    } finally {
      big.closeAllConnections();
      big.close();
    }
  });
});

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
