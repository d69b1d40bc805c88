// `npx tsx bench/media.ts [rounds]` (default 20): what pictures and voice cost the server (issue
// 14, docs/media.md), in one process on SQLite with the local file store, against the DashScope
// fake over HTTP. Measured per round, p50 / p95:
// - a photo's upload: create → PUT of a 1.5 MB JPEG-sized file → complete (sniffed, measured);
// - a question with that photo vs without: the time to the first token (the picture is read from
//   the store and sent as a data: URL, about 2 MB of base64, in the request);
// - a 10 s recording made text (upload → transcription);
// - an answer read aloud: the first audio byte when CosyVoice makes it, and when it comes from the
//   cache (the second play);
// - a drawing, from the question to the picture stored and its `image` event (the fake's Wanx
//   finishes on the second poll; the server polls after 1 s, then 2 s).
// Not part of `npm run bench`; the fake answers at once, so the figures are the server's own.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../server/src/app.js";
import { loadConfig } from "../server/src/config.js";
import { buildDeps } from "../server/src/deps.js";
import { startDashScopeFake } from "../server/src/llm/dashscope-fake.js";
import { memoryLogger } from "../server/src/logger.js";
import { jpeg, wav } from "../server/test/support/media-bytes.js";
import { ms, percentile, table } from "./lib.js";

const ROUNDS = Number(process.argv[2] ?? 20);
const PUBLIC_URL = "http://bench.local";
const ORIGIN = "https://shop.bench.example";

const dir = mkdtempSync(join(tmpdir(), "bc-bench-media-"));
const fake = await startDashScopeFake();
const deps = await buildDeps(
  loadConfig({
    DATA_DIR: dir,
    DATABASE_URL: `sqlite:${join(dir, "bench.sqlite")}`,
    APP_SECRET: "bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    PUBLIC_URL,
    DASHSCOPE_API_KEY: fake.apiKey,
    DASHSCOPE_BASE_URL: fake.url,
    DEFAULT_PLAN: "unlimited",
  }),
  { logger: memoryLogger() },
);
const { app } = createApp(deps);
const call = (path: string, init: RequestInit = {}) => Promise.resolve(app.fetch(new Request(new URL(path, PUBLIC_URL), init)));
const post = (path: string, body: unknown, headers: Record<string, string>) =>
  call(path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

async function ok(res: Response, what: string): Promise<any> {
  if (!res.ok) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : res.headers.get("content-type")?.includes("json") ? res.json() : res;
}

// An owner, a site with everything on, and one visitor (limits raised: the bench is not a flood test).
await ok(
  await post("/api/auth/signup", { email: "bench@example.com", password: "a long bench password 42" }, { origin: PUBLIC_URL }),
  "signup",
);
const login = await call("/api/auth/login", {
  method: "POST",
  headers: { "content-type": "application/json", origin: PUBLIC_URL },
  body: JSON.stringify({ email: "bench@example.com", password: "a long bench password 42" }),
});
const cookie = login.headers.get("set-cookie")!.split(";")[0];
const owner = { cookie, origin: PUBLIC_URL };
const { site } = await ok(
  await post(
    "/api/sites",
    {
      name: "Bench",
      allowedOrigins: [ORIGIN],
      bot: { language: "en" },
      limits: { visitorMessagesPerMinute: 600, ipMessagesPerMinute: 100_000, siteMessagesPerMinute: 100_000 },
    },
    owner,
  ),
  "site",
);
await ok(
  await call(`/api/sites/${site.id}`, {
    method: "PATCH",
    headers: { "content-type": "application/json", ...owner },
    body: JSON.stringify({ media: { imageInput: true, voiceInput: true, readAloud: true, imageGeneration: true } }),
  }),
  "media on",
);
const session = await ok(await call(`/v1/widget/${site.siteKey}/sessions`, { method: "POST", headers: { origin: ORIGIN } }), "session");
const visitor = { authorization: `Bearer ${session.token}`, origin: ORIGIN };

async function conversation(): Promise<string> {
  return (await ok(await post("/v1/conversations", {}, visitor), "conversation")).conversation.id;
}

async function upload(conversationId: string, kind: "image" | "audio", mediaType: string, bytes: Buffer): Promise<string> {
  const { upload: created, target } = await ok(
    await post(`/v1/conversations/${conversationId}/uploads`, { kind, mediaType, size: bytes.length }, visitor),
    "upload",
  );
  await ok(
    await call(target.url, { method: "PUT", headers: { ...visitor, "content-type": mediaType }, body: new Uint8Array(bytes) }),
    "put",
  );
  await ok(await call(`/v1/uploads/${created.id}/complete`, { method: "POST", headers: visitor }), "complete");
  return created.id;
}

/** Sends a message; answers the time to the first delta, the first `image` event that is ready, and the end. */
async function ask(conversationId: string, content: string, attachments: string[] = []) {
  const started = performance.now();
  const res = await post(`/v1/conversations/${conversationId}/messages`, { content, attachments }, visitor);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let firstToken = NaN;
  let imageReady = NaN;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    if (Number.isNaN(firstToken) && text.includes("event: delta")) firstToken = performance.now() - started;
    if (Number.isNaN(imageReady) && /event: image\ndata: \{[^\n]*"status":"ready"/.test(text)) imageReady = performance.now() - started;
  }
  if (!text.includes("event: done")) throw new Error(`no done event: ${text.slice(-300)}`);
  return { firstToken, imageReady, total: performance.now() - started };
}

// A photo's worth of bytes: a JPEG header (the probe reads it) padded to 1.5 MB.
const photo = Buffer.concat([jpeg(1600, 1200), Buffer.alloc(1.5 * 1024 * 1024)]);
const clip = wav(10_000, { tone: true });

const results: Record<string, number[]> = {};
const note = (name: string, value: number) => (results[name] ??= []).push(value);

for (let round = 0; round < ROUNDS; round++) {
  const id = await conversation();
  let t = performance.now();
  const picture = await upload(id, "image", "image/jpeg", photo);
  note("photo upload (1.5 MB): create, PUT, complete", performance.now() - t);
  note("first token, question with the photo", (await ask(id, "What is in this photo?", [picture])).firstToken);
  note("first token, question without a photo", (await ask(id, "And what about shipping?")).firstToken);

  t = performance.now();
  const recording = await upload(id, "audio", "audio/wav", clip);
  await ok(await post(`/v1/conversations/${id}/transcriptions`, { uploadId: recording }, visitor), "transcription");
  note("10 s recording to text: upload and transcription", performance.now() - t);

  const { messages } = await ok(await call(`/v1/conversations/${id}/messages`, { headers: visitor }), "messages");
  const answer = messages.findLast((m: { role: string }) => m.role === "assistant");
  for (const play of ["read aloud, first audio byte (synthesised)", "read aloud, first audio byte (cached)"]) {
    const { url } = await ok(await post(`/v1/messages/${answer.id}/speech`, {}, visitor), "speech link");
    t = performance.now();
    const audio = await call(url.replace(PUBLIC_URL, ""));
    const reader = audio.body!.getReader();
    await reader.read();
    note(play, performance.now() - t);
    while (!(await reader.read()).done);
  }

  const drawn = await ask(id, "Please draw a picture of a teapot");
  note("drawing: question to the picture stored and shown", drawn.imageReady);
}

console.log(`pictures and voice, ${ROUNDS} rounds, SQLite, local file store, DashScope fake (answers at once)\n`);
console.log(
  table(
    Object.entries(results).map(([name, values]) => ({ what: name, p50: ms(percentile(values, 50)), p95: ms(percentile(values, 95)) })),
  ),
);
await deps.tasks.idle(5_000);
await fake.close();
await deps.dispose();
rmSync(dir, { recursive: true, force: true });
