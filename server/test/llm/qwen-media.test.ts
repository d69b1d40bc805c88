import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ChatChunk, type ChatRequest, LlmError, type ToolSpec } from "../../src/llm/chat-model.js";
import { type DashScopeFake, startDashScopeFake } from "../../src/llm/dashscope-fake.js";
import { fakePng } from "../../src/llm/dashscope-fake/media-bytes.js";
import { createQwenModel } from "../../src/llm/qwen.js";
import { jpegHeader } from "../support/media-samples.js";

const GENERATE_IMAGE: ToolSpec = {
  name: "generate_image",
  description: "Draws a picture.",
  parameters: {
    type: "object",
    properties: { prompt: { type: "string" }, size: { type: "string", enum: ["1024*1024", "720*1280", "1280*720"] } },
    required: ["prompt"],
  },
};

let fake: DashScopeFake;
/** Serves pictures over HTTP, as an OSS presigned URL would. */
let pictures: Server;
let picturesUrl: string;

beforeAll(async () => {
  fake = await startDashScopeFake();
  pictures = createServer((req, res) => {
    if (req.url === "/photo.png") {
      const png = fakePng(640, 480);
      res.writeHead(200, { "content-type": "image/png", "content-length": png.length });
      return void res.end(png);
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => pictures.listen(0, "127.0.0.1", resolve));
  picturesUrl = `http://127.0.0.1:${(pictures.address() as AddressInfo).port}`;
});
afterEach(() => fake.reset());
afterAll(async () => {
  pictures.close();
  await fake.close();
});

const model = () => createQwenModel({ baseUrl: fake.url, apiKey: fake.apiKey, timeoutMs: 5000 });

async function collect(request: Partial<ChatRequest> & Pick<ChatRequest, "messages">) {
  const chunks: ChatChunk[] = [];
  for await (const c of model().stream({ model: "qwen-plus", temperature: 0.7, maxTokens: 800, ...request })) chunks.push(c);
  const text = chunks.flatMap((c) => (c.type === "text" ? [c.text] : [])).join("");
  const calls = chunks.filter((c): c is Extract<ChatChunk, { type: "tool_call" }> => c.type === "tool_call");
  const end = chunks.at(-1) as Extract<ChatChunk, { type: "end" }>;
  expect(end.type).toBe("end");
  return { chunks, text, calls, end };
}

async function failure(request: Partial<ChatRequest> & Pick<ChatRequest, "messages">): Promise<LlmError> {
  const err = await collect(request).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LlmError);
  return err as LlmError;
}

describe("pictures to Qwen-VL", () => {
  it("sends a user turn's pictures as image_url parts before its text, and the fake sees each one", async () => {
    const jpeg = `data:image/jpeg;base64,${jpegHeader(300, 200).toString("base64")}`;
    const { text, end } = await collect({
      model: "qwen3-vl-flash",
      messages: [
        { role: "system", content: "You are a shop assistant." },
        { role: "user", content: "What is in these?", images: [`${picturesUrl}/photo.png`, jpeg] },
      ],
    });
    expect(fake.requests[0]!.body.messages).toEqual([
      { role: "system", content: "You are a shop assistant." },
      {
        role: "user",
        content: [
          { type: "image_url", image_url: { url: `${picturesUrl}/photo.png` } },
          { type: "image_url", image_url: { url: jpeg } },
          { type: "text", text: "What is in these?" },
        ],
      },
    ]);
    expect(text).toMatch(
      /^I see a picture of 640×480 pixels \(PNG\)\. I see a picture of 300×200 pixels \(JPEG\)\.\n\n\*\*Offline demo reply\.\*\*/,
    );
    // the pictures' tokens (392 + 2 and 77 + 2) on top of the text's
    expect(end.usage!.promptTokens).toBeGreaterThan(394 + 79);
    expect(end.finishReason).toBe("stop");
  });

  it("reads a WebP and a GIF sent as data: URLs", async () => {
    // VP8L: signature 0x2f, then width-1 and height-1 in 14 bits each
    const vp8l = Buffer.alloc(30);
    vp8l.write("RIFF", 0, "ascii");
    vp8l.writeUInt32LE(22, 4);
    vp8l.write("WEBPVP8L", 8, "ascii");
    vp8l.writeUInt32LE(10, 16);
    vp8l[20] = 0x2f;
    vp8l.writeUInt32LE((800 - 1) | ((600 - 1) << 14), 21);
    const gif = Buffer.from("GIF89a\x20\x00\x10\x00\x00\x00\x00;", "latin1");
    const { text } = await collect({
      model: "qwen3-vl-flash",
      messages: [
        {
          role: "user",
          content: "and these?",
          images: [`data:image/webp;base64,${vp8l.toString("base64")}`, `data:image/gif;base64,${gif.toString("base64")}`],
        },
      ],
    });
    expect(text).toMatch(/^I see a picture of 800×600 pixels \(WebP\)\. I see a picture of 32×16 pixels \(GIF\)\./);
  });

  it("sends a turn of pictures only without an empty text part, and other turns as plain strings", async () => {
    await collect({
      model: "qwen3-vl-flash",
      messages: [
        { role: "user", content: "Hello" },
        { role: "assistant", content: "Hi!" },
        { role: "user", content: "", images: [`${picturesUrl}/photo.png`] },
      ],
    });
    const sent = fake.requests[0]!.body.messages;
    expect(sent[0]).toEqual({ role: "user", content: "Hello" });
    expect(sent[1]).toEqual({ role: "assistant", content: "Hi!" });
    expect(sent[2].content).toEqual([{ type: "image_url", image_url: { url: `${picturesUrl}/photo.png` } }]);
  });

  it("fails as DashScope does (400 InvalidParameter) when a picture cannot be fetched", async () => {
    const err = await failure({ model: "qwen3-vl-flash", messages: [{ role: "user", content: "?", images: [`${picturesUrl}/gone.png`] }] });
    expect(err.kind).toBe("bad_request");
    expect(err.info.status).toBe(400);
    expect(err.message).toMatch(/Download the media resource/);
  });

  it("fails the same way on a queued download failure, and refuses pictures for a text model", async () => {
    fake.enqueueVision({ kind: "download-failure" });
    const err = await failure({
      model: "qwen3-vl-flash",
      messages: [{ role: "user", content: "?", images: [`${picturesUrl}/photo.png`] }],
    });
    expect(err.message).toMatch(/Download the media resource/);
    const text = await failure({ model: "qwen-plus", messages: [{ role: "user", content: "?", images: [`${picturesUrl}/photo.png`] }] });
    expect(text.kind).toBe("bad_request");
  });
});

describe("the generate_image tool", () => {
  it("sends tools as compatible-mode functions and yields the streamed call whole, before end", async () => {
    const { calls, text, end, chunks } = await collect({
      messages: [{ role: "user", content: "请画一只在月光下的猫" }],
      tools: [GENERATE_IMAGE],
    });
    expect(fake.requests[0]!.body.tools).toEqual([
      { type: "function", function: { name: "generate_image", description: "Draws a picture.", parameters: GENERATE_IMAGE.parameters } },
    ]);
    expect(text).toBe("");
    expect(calls).toHaveLength(1);
    expect(calls[0]!.name).toBe("generate_image");
    expect(calls[0]!.id).toMatch(/^call_[0-9a-f]{22}$/);
    expect(JSON.parse(calls[0]!.arguments)).toEqual({ prompt: "请画一只在月光下的猫", size: "1024*1024" });
    expect(chunks.at(-2)).toBe(calls[0]);
    expect(end.finishReason).toBe("tool_calls");
    expect(end.usage!.completionTokens).toBeGreaterThan(0);
  });

  it("asks for a picture in English too; a question that does not gets a plain answer", async () => {
    const drawn = await collect({
      messages: [{ role: "user", content: "Can you show me a picture of a red bicycle?" }],
      tools: [GENERATE_IMAGE],
    });
    expect(JSON.parse(drawn.calls[0]!.arguments).prompt).toBe("Can you show me a picture of a red bicycle?");
    const plain = await collect({ messages: [{ role: "user", content: "What are your opening hours?" }], tools: [GENERATE_IMAGE] });
    expect(plain.calls).toEqual([]);
    expect(plain.text).toMatch(/opening hours/);
    expect(plain.end.finishReason).toBe("stop");
  });

  it("without tools, asking for a picture is a plain answer and the request has no tools", async () => {
    const { calls, text } = await collect({ messages: [{ role: "user", content: "draw a cat" }] });
    expect(calls).toEqual([]);
    expect(text).toMatch(/draw a cat/);
    expect(fake.requests[0]!.body).not.toHaveProperty("tools");
  });

  it("accumulates parallel calls by index, with text before them", async () => {
    const first = JSON.stringify({ prompt: "a lighthouse at dawn, oil painting", size: "1280*720" });
    const second = JSON.stringify({ prompt: "一座山", size: "720*1280" });
    fake.enqueue({
      kind: "tool_calls",
      text: "Here you go.",
      calls: [
        { name: "generate_image", arguments: first },
        { name: "generate_image", arguments: second },
      ],
    });
    const { calls, text } = await collect({ messages: [{ role: "user", content: "two pictures" }], tools: [GENERATE_IMAGE] });
    expect(text).toBe("Here you go.");
    expect(calls.map((c) => c.arguments)).toEqual([first, second]);
    expect(new Set(calls.map((c) => c.id)).size).toBe(2);
  });

  it('the fake streams a call in pieces: id and name first, then id "" and arguments only', async () => {
    const res = await fetch(`${fake.url}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${fake.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "qwen-plus",
        stream: true,
        messages: [{ role: "user", content: "draw a picture of the sea at night" }],
        tools: [{ type: "function", function: GENERATE_IMAGE }],
      }),
    });
    const events = (await res.text())
      .split("\n\n")
      .filter((e) => e.startsWith("data: {"))
      .map((e) => JSON.parse(e.slice(6)));
    const pieces = events.flatMap((e) => e.choices[0]?.delta?.tool_calls ?? []);
    expect(pieces.length).toBeGreaterThan(3);
    expect(pieces[0]).toMatchObject({ index: 0, type: "function", function: { name: "generate_image" } });
    expect(pieces[0].id).not.toBe("");
    for (const p of pieces.slice(1)) {
      expect(p.id).toBe("");
      expect(p.function).not.toHaveProperty("name");
    }
    expect(events.at(-1).choices[0]).toMatchObject({ finish_reason: "tool_calls", delta: {} });
  });
});
