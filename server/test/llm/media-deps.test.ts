import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ImageGenerator } from "../../src/llm/media-models.js";
import { createHarness, type Harness } from "../support/harness.js";
import { mp3Frames, wav } from "../support/media-samples.js";

let h: Harness;

beforeAll(async () => {
  h = await createHarness("sqlite");
});
afterAll(() => h.close());

describe("deps.speech and deps.images, as production wires them from the config", () => {
  it("reach the configured DashScope (compatible mode for speech recognition, the native base for synthesis and Wanx)", async () => {
    const heard = await h.deps.speech.recognizer.recognize({ audio: wav(1), mediaType: "audio/wav", language: "en" });
    expect(heard.text).toBe("What is your return policy?");

    const speech = await h.deps.speech.synthesizer.synthesize({ text: "Hello there.", voice: "longxiaochun_v2" });
    const bytes: Uint8Array[] = [];
    for await (const c of speech.chunks) bytes.push(c);
    expect(mp3Frames(Buffer.concat(bytes)).length).toBeGreaterThan(0);

    const { taskId } = await h.deps.images.submit({ prompt: "a cat", size: "1024*1024" });
    expect((await h.deps.images.poll(taskId)).status).toBe("RUNNING");

    expect(h.fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /compatible-mode/v1/chat/completions",
      "POST /api/v1/services/audio/tts/SpeechSynthesizer",
      "POST /api/v1/services/aigc/text2image/image-synthesis",
      `GET /api/v1/tasks/${taskId}`,
    ]);
  });

  it("take a test's own parts instead", async () => {
    const images: ImageGenerator = {
      submit: async () => ({ taskId: "mine", requestId: null }),
      poll: async () => ({ status: "UNKNOWN", urls: [], code: null, message: null, requestId: null }),
      download: async () => ({ bytes: new Uint8Array(), mediaType: "image/png" }),
    };
    const own = await createHarness("sqlite", {}, { images });
    try {
      expect(await own.deps.images.submit({ prompt: "x", size: "1024*1024" })).toEqual({ taskId: "mine", requestId: null });
      expect(own.fake.requests).toEqual([]);
    } finally {
      await own.close();
    }
  });
});
