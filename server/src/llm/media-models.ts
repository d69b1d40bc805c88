/**
 * What pictures and voice need from DashScope beyond chat (docs/media.md), so features never see
 * the protocols. Failures throw LlmError (chat-model.ts) with the same kinds as chat.
 */

/** Speech recognition: a finished clip in one synchronous request (docs/voice.md says why this model). */
export const ASR_MODEL = "qwen3-asr-flash";
/** Read-aloud: CosyVoice over HTTP, streamed (dashscope.md §7.3). */
export const TTS_MODEL = "cosyvoice-v2";
/** The bot's drawings: Wanx text-to-image, an async task (dashscope.md §7.1–7.2). */
export const IMAGE_MODEL = "wanx2.1-t2i-turbo";

export interface RecognizeRequest {
  audio: Uint8Array;
  /** as sniffed: audio/webm, audio/ogg, audio/mp4, audio/wav */
  mediaType: string;
  /** the visitor's language when known (a hint to the model); null: detect */
  language: "zh" | "en" | null;
  /** the site's own key; the server's when absent */
  apiKey?: string;
  signal?: AbortSignal;
}

export interface Recognition {
  /** what was said; "" when nothing was */
  text: string;
  /** the audio's length as DashScope billed it, when it says */
  seconds: number | null;
  requestId: string | null;
}

export interface SpeechRecognizer {
  recognize(request: RecognizeRequest): Promise<Recognition>;
}

export interface SynthesizeRequest {
  /** plain text (markdown already taken out), at most a few thousand characters */
  text: string;
  voice: string;
  apiKey?: string;
  signal?: AbortSignal;
}

export interface SpeechStream {
  /** audio/mpeg */
  mediaType: string;
  requestId: string | null;
  /** the audio, in order, as it arrives */
  chunks: AsyncIterable<Uint8Array>;
  /** the characters DashScope billed, known once chunks has ended (null if it did not say) */
  characters(): number | null;
}

export interface SpeechSynthesizer {
  /** Resolves once DashScope has accepted the request (errors before any audio throw here). */
  synthesize(request: SynthesizeRequest): Promise<SpeechStream>;
}

export type ImageTaskStatus = "PENDING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELED" | "UNKNOWN";

export interface ImageTask {
  status: ImageTaskStatus;
  /** SUCCEEDED: the results' URLs (DashScope keeps them 24 h) */
  urls: string[];
  /** FAILED: DashScope's code and message */
  code: string | null;
  message: string | null;
  requestId: string | null;
}

export interface ImageGenerator {
  /** Starts a text-to-image task of one picture; `size` is W*H, e.g. 1024*1024. */
  submit(request: {
    prompt: string;
    size: string;
    apiKey?: string;
    signal?: AbortSignal;
  }): Promise<{ taskId: string; requestId: string | null }>;
  poll(taskId: string, options?: { apiKey?: string; signal?: AbortSignal }): Promise<ImageTask>;
  /** The finished picture's bytes, from its result URL (bounded; the URL is DashScope's, not an owner's). */
  download(url: string, signal?: AbortSignal): Promise<{ bytes: Uint8Array; mediaType: string }>;
}
