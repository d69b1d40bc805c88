import { LlmError } from "./chat-model.js";
import { type SpeechStream, type SpeechSynthesizer, type SynthesizeRequest, TTS_MODEL } from "./media-models.js";
import { deadline } from "./deadline.js";
import { nativeLlmError, parseJson } from "./native-api.js";
import { sseData } from "./sse-data.js";

export interface SpeechSynthesizerOptions {
  /** DashScope's native base, e.g. https://dashscope.aliyuncs.com/api/v1 (config.dashscope.nativeBaseUrl) */
  nativeBaseUrl: string;
  apiKey?: string;
  /** time allowed until the first audio, and then between events */
  timeoutMs: number;
}

/** What the answer is read in (docs/media.md: mp3, 22,050 Hz). */
const FORMAT = "mp3";
const SAMPLE_RATE = 22050;

/**
 * CosyVoice over HTTP with SSE (dashscope.md §7.3, platform-next.md §4c): each event carries a
 * base64 piece of the file, so the first words can play before the rest is made. The WebSocket
 * protocol would allow streaming the text in too; a finished answer does not need it.
 */
export function createSpeechSynthesizer(options: SpeechSynthesizerOptions): SpeechSynthesizer {
  const url = `${options.nativeBaseUrl.replace(/\/+$/, "")}/services/audio/tts/SpeechSynthesizer`;
  return {
    async synthesize(request: SynthesizeRequest): Promise<SpeechStream> {
      const apiKey = request.apiKey ?? options.apiKey;
      if (!apiKey) throw new LlmError("auth", "No DashScope API key is configured.");
      const time = deadline(options.timeoutMs, request.signal);
      let requestId: string | null = null;
      let characters: number | null = null;
      let events: AsyncGenerator<Uint8Array>;
      let first: IteratorResult<Uint8Array>;
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: {
            authorization: `Bearer ${apiKey}`,
            "content-type": "application/json",
            accept: "text/event-stream",
            "x-dashscope-sse": "enable",
          },
          body: JSON.stringify({
            model: TTS_MODEL,
            input: { text: request.text, voice: request.voice, format: FORMAT, sample_rate: SAMPLE_RATE },
          }),
          signal: time.signal,
        });
        requestId = response.headers.get("x-request-id");
        if (!response.ok || !response.body) {
          // Shape D: a flat {code, message, request_id} with the real status (§3.1).
          throw nativeLlmError(parseJson(await response.text().catch(() => "")), response.status, requestId);
        }
        events = audioOf(response.body);
        // Waits for the first audio, so an error DashScope sends before any (an event:error) throws here.
        first = await events.next();
      } catch (err) {
        time.end();
        throw time.failure(err, requestId, "Could not reach the speech service.");
      }

      async function* audioOf(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
        let finished = false;
        for await (const data of sseData(body)) {
          time.refresh();
          const event = parseJson(data);
          if (!event || typeof event !== "object") {
            throw new LlmError("malformed", "The speech service sent an event we cannot read.", { requestId });
          }
          // Shape E: an `event:error` frame carries a code and no output (its status only in a comment line).
          if (typeof event.code === "string" && event.code !== "" && !event.output) {
            throw nativeLlmError(event, null, event.request_id ?? requestId);
          }
          requestId = event.request_id ?? requestId;
          const billed = event.usage?.characters;
          if (typeof billed === "number" && Number.isFinite(billed)) characters = billed;
          const audio = event.output?.audio?.data;
          if (typeof audio === "string" && audio !== "") {
            yield Buffer.from(audio, "base64");
            // The caller's time writing this piece out is not DashScope's.
            time.refresh();
          }
          const reason = event.output?.finish_reason;
          if (typeof reason === "string" && reason !== "null" && reason !== "") finished = true;
        }
        if (time.signal.aborted) throw new Error("aborted");
        if (!finished) throw new LlmError("connection", "The speech stream was cut off.", { requestId });
      }

      async function* chunks(): AsyncGenerator<Uint8Array> {
        try {
          if (first.done) return;
          yield first.value;
          for (;;) {
            const next = await events.next();
            if (next.done) return;
            yield next.value;
          }
        } catch (err) {
          throw time.failure(err, requestId, "The speech stream was cut off.");
        } finally {
          // Left early (the listener went away): the upstream request must not stay open.
          time.end();
          await events.return(undefined).catch(() => {});
        }
      }

      return {
        mediaType: "audio/mpeg",
        get requestId() {
          return requestId;
        },
        chunks: chunks(),
        characters: () => characters,
      };
    },
  };
}
