// Speech in the fake: qwen3-asr-* recognition in compatible mode (platform-next.md §4b) and
// CosyVoice synthesis over HTTP with SSE (dashscope.md §7.3; the event shape is docs/media.md's).
import { nativeError, nativeFrame, sendNativeError, sendNativeSseError } from "./apps.js";
import { mp3FrameBytes, probeWav, silentMp3 } from "./media-bytes.js";
import { completionBody, contentText, errorSpec, hasCjk, type ChunkCtx } from "./protocol.js";
import { runScript, sendError, sendJson, type Exchange } from "./runners.js";
import type { SpeechScript, TtsScript } from "./types.js";

export const isAsrModel = (model: unknown) => typeof model === "string" && /^qwen3?-asr/.test(model);

const TRANSCRIPTS = { zh: "你们的退货政策是什么？", en: "What is your return policy?" };
/** Qwen's audio rate: 25 tokens a second. */
const AUDIO_TOKENS_PER_SECOND = 25;
/** A clip the fake cannot measure (webm, ogg, mp4) is taken as 32 kbps Opus: 4,000 bytes a second. */
const COMPRESSED_BYTES_PER_SECOND = 4000;

// any: request bodies are the clients' JSON, unchecked (see types.ts).
function audioPart(body: any): string | null {
  const messages: any[] = Array.isArray(body?.messages) ? body.messages : [];
  for (const m of messages) {
    if (!Array.isArray(m?.content)) continue;
    const part = m.content.find((p: any) => p?.type === "input_audio");
    if (typeof part?.input_audio?.data === "string") return part.input_audio.data;
  }
  return null;
}

/** A recognition request: the script's or the canned transcript; all-silence WAV is "". */
export function recognize(ex: Exchange, body: any, ctx: ChunkCtx, script: SpeechScript | undefined): Promise<void> | void {
  const bad = (message: string) => sendError(ex, errorSpec(400, "invalid_parameter_error", message, "invalid_request_error"), "json");
  const data = audioPart(body);
  if (data === null) return bad("<400> InternalError.Algo.InvalidParameter: The audio is empty or missing.");
  const match = /^data:([^;,]+)?;base64,(.*)$/s.exec(data);
  if (!match && !/^https?:\/\//i.test(data)) return bad("<400> InternalError.Algo.InvalidParameter: The audio format is illegal.");
  if (script?.kind === "error") return sendError(ex, errorSpec(script.status, script.code, script.message), "json");

  const audio = match ? Buffer.from(match[2]!, "base64") : Buffer.alloc(0);
  const wav = probeWav(audio);
  const measured = wav ? wav.seconds : audio.length / COMPRESSED_BYTES_PER_SECOND;
  const seconds = script?.seconds ?? Math.max(1, Math.round(measured));
  const language = languageOf(body);
  const text = script?.kind === "transcript" ? script.text : wav?.silent ? "" : TRANSCRIPTS[language];

  const audioTokens = seconds * AUDIO_TOKENS_PER_SECOND;
  const completionTokens = Math.max(1, Array.from(text).length);
  if (body.stream === true) {
    // Streamed recognition (the service offers it; the server's client does not use it): the text as deltas.
    const usage = { prompt_tokens: audioTokens, completion_tokens: completionTokens };
    return runScript({ ...ex, body, stream: true, ctx }, { kind: "answer", text, usage }, { firstMs: 0, eachMs: 0 });
  }
  const reply = completionBody(ctx, text, "stop", {
    prompt_tokens: audioTokens,
    completion_tokens: completionTokens,
    total_tokens: audioTokens + completionTokens,
  });
  const message = reply.choices[0]!.message as Record<string, unknown>;
  message.annotations = [{ type: "audio_info", language, emotion: "neutral" }];
  sendJson(ex.res, 200, {
    ...reply,
    usage: { ...reply.usage, prompt_tokens_details: { audio_tokens: audioTokens, text_tokens: 0 }, seconds },
  });
}

/** asr_options.language, else the language of any text in the request, else Chinese. */
function languageOf(body: any): "zh" | "en" {
  const asked = body?.asr_options?.language;
  if (asked === "zh" || asked === "en") return asked;
  const messages: any[] = Array.isArray(body?.messages) ? body.messages : [];
  const text = messages.map((m) => contentText(m?.content)).join("");
  return text.trim() !== "" && !hasCjk(text) ? "en" : "zh";
}

// ---------------------------------------------------------------- TTS

const SSE_CONTENT_TYPE = "text/event-stream;charset=UTF-8";
/** MP3 frames (about 26 ms each) a character takes to say: a Chinese character ~0.26 s, a Latin one ~0.08 s. */
const FRAMES_PER_CJK = 10;
const FRAMES_PER_OTHER = 3;
const FRAMES_PER_EVENT = 20;

/** CosyVoice's billed characters: a Chinese character counts two, anything else one. */
export const billedCharacters = (text: string) => Array.from(text).reduce((n, ch) => n + (hasCjk(ch) ? 2 : 1), 0);

export async function synthesize(ex: Exchange, body: any, nextScript: () => TtsScript | undefined): Promise<void> {
  const stream = String(ex.req.headers["x-dashscope-sse"] ?? "").toLowerCase() === "enable";
  const fail = (code: string, message: string) => sendNativeError(ex, nativeError(code, 400, message));
  if (typeof body?.model !== "string" || !/^cosyvoice-/.test(body.model)) return fail("InvalidParameter", "Model not exist.");
  const input = body?.input;
  const text: unknown = input?.text;
  if (typeof text !== "string" || text.trim() === "") return fail("InvalidParameter", "input.text must not be empty.");
  if (typeof input.voice !== "string" || input.voice === "") return fail("InvalidParameter", "input.voice is required.");
  if (input.format !== undefined && input.format !== "mp3") {
    // The fake only makes MP3; the service also makes wav, pcm and opus.
    return fail("InvalidParameter", `The fake only supports format mp3, not ${String(input.format)}.`);
  }
  const script = nextScript();
  if (script?.kind === "error") {
    const e = nativeError(script.code, script.status, script.message);
    return script.framing === "sse" ? sendNativeSseError(ex, e) : sendNativeError(ex, e);
  }

  const sampleRate = typeof input.sample_rate === "number" ? input.sample_rate : 22050;
  const frames = Array.from(text).reduce((n, ch) => n + (hasCjk(ch) ? FRAMES_PER_CJK : FRAMES_PER_OTHER), 0);
  const audio = silentMp3(Math.max(4, frames), sampleRate);
  const characters = billedCharacters(text);
  if (!stream) {
    // Without SSE the service answers a URL to the whole file; the fake answers the data inline.
    return sendJson(ex.res, 200, {
      output: { finish_reason: "stop", audio: { data: audio.toString("base64") } },
      usage: { characters },
      request_id: ex.rid,
    });
  }

  ex.res.writeHead(200, { "content-type": SSE_CONTENT_TYPE });
  ex.res.socket?.setNoDelay(true);
  const eventBytes = FRAMES_PER_EVENT * mp3FrameBytes(sampleRate);
  const pieces: Buffer[] = [];
  for (let at = 0; at < audio.length; at += eventBytes) pieces.push(audio.subarray(at, at + eventBytes));
  let id = 0;
  const event = (data: string, finish: string) =>
    new Promise<void>((resolve) =>
      ex.res.write(
        nativeFrame(++id, "result", 200, {
          output: { finish_reason: finish, audio: { data, id: `audio_${ex.rid}` } },
          usage: { characters },
          request_id: ex.rid,
        }),
        () => resolve(),
      ),
    );
  for (const [i, piece] of pieces.entries()) {
    if (ex.signal.aborted) return;
    if (script?.kind === "cut" && i >= script.afterEvents) {
      // Let what was written reach the client, then cut the connection mid-body.
      ex.res.socket?.destroy();
      ex.res.destroy();
      return;
    }
    await event(piece.toString("base64"), "null");
  }
  await event("", "stop");
  ex.res.end();
}
