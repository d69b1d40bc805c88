export type FakeScript =
  | {
      kind: "answer";
      text: string;
      /** Content deltas to send as-is (then `text` is ignored); default: ~4 code points each. */
      chunks?: string[];
      /** Wait before the response starts (headers, role chunk and first content chunk go out together). */
      firstChunkDelayMs?: number;
      /** Wait between content chunks. A non-stream answer waits first + each × (chunks − 1) in total. */
      chunkDelayMs?: number;
      /** Default "stop"; when unset, a request max_tokens smaller than the answer cuts it and gives "length". */
      finishReason?: "stop" | "length";
      /** Default: estimated from the request messages and the answer text. */
      usage?: { prompt_tokens: number; completion_tokens: number };
    }
  | { kind: "error"; status: number; code: string; message?: string; type?: string; framing?: "json" | "sse" }
  /** Never finishes until the client aborts or the fake closes. */
  | { kind: "hang"; phase?: "before-headers" | "after-first-chunk"; text?: string }
  /** Sends N content chunks, then destroys the socket (no [DONE]). */
  | { kind: "drop"; text: string; afterChunks: number }
  /** N content chunks, then a mid-stream `data: {"error":{code:"data_inspection_failed",...}}` frame (shape C), then ends. */
  | { kind: "moderation"; text: string; afterChunks: number }
  /** N content chunks, then a `data: {not json` frame, then ends. */
  | { kind: "malformed"; text: string; afterChunks: number }
  /** Function calls, streamed by index (id and name first, the arguments in pieces), finish_reason "tool_calls" (platform-next.md §4d). */
  | { kind: "tool_calls"; calls: { name: string; arguments: string }[]; text?: string };

/** What the next chat request with `image_url` parts meets instead of its pictures being fetched. */
export type VisionScript = { kind: "download-failure" };

/** What the next speech recognition request (qwen3-asr-*) answers. */
export type SpeechScript =
  { kind: "transcript"; text: string; seconds?: number } | { kind: "error"; status: number; code: string; message?: string };

/** What the next speech synthesis request (CosyVoice over HTTP) does instead of its silent MP3. */
export type TtsScript =
  /** json: a shape D error body with the status; sse: HTTP 200 and an event:error frame (shape E) */
  | { kind: "error"; status: number; code: string; message?: string; framing?: "json" | "sse" }
  /** sends N audio events, then cuts the connection (no finish_reason "stop") */
  | { kind: "cut"; afterEvents: number };

/** What the next Wanx task becomes instead of SUCCEEDED after its polls. */
export type ImageScript =
  /** the submit itself fails (e.g. 429 Throttling.RateQuota) */
  | { kind: "error"; status: number; code: string; message?: string }
  /** FAILED with this code (default DataInspectionFailed) */
  | { kind: "failed"; code?: string; message?: string }
  /** RUNNING forever */
  | { kind: "never" }
  /** SUCCEEDED, but its result URL answers 404 (expired) */
  | { kind: "missing-result" };

/** What the next embeddings request that passes auth and validation answers instead of vectors. */
export type EmbeddingScript = { kind: "error"; status: number; code: string; message?: string; type?: string };

export interface AppModelUsage {
  model_id: string;
  input_tokens: number;
  output_tokens: number;
}

/** What the next call of a known, published application does instead of its canned answer. */
export type AppScript =
  | {
      kind: "answer";
      /** may cite the app's documents as `<ref>[n]</ref>`, n their 1-based place */
      text: string;
      /** deltas to send as-is (then `text` is ignored); default ~4 code points each */
      chunks?: string[];
      chunkDelayMs?: number;
      /** the final usage.models (streamed events grow towards it); default one model, estimated */
      usage?: AppModelUsage[];
    }
  /** A native error (§5.4); streamed calls get it as 200 + event:error unless framing says "json". */
  | { kind: "error"; code: string; status?: number; message?: string; framing?: "json" | "sse" };

export interface FakeAppDocument {
  title: string;
  /** default: the title */
  docName?: string;
  text: string;
  url?: string;
}

/** A Bailian application the fake knows: a RAG app over its documents. */
export interface FakeApp {
  id: string;
  /** when set, a call naming another workspace is refused (Workspace.AccessDenied) */
  workspaceId?: string;
  /** false: FlowNotPublished */
  published?: boolean;
  /** the model_id its usage names; default qwen-plus */
  model?: string;
  documents: FakeAppDocument[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  // any: the JSON exactly as a client sent it, malformed requests included (the fake rejects those)
  body: any;
  at: number;
}

export interface DashScopeFake {
  /** Base URL to give the openai SDK, e.g. http://127.0.0.1:PORT/compatible-mode/v1 */
  url: string;
  /** http://127.0.0.1:PORT */
  origin: string;
  /** The key it accepts (default "sk-fake-local"). */
  apiKey: string;
  /** FIFO, one script consumed per chat-completions request that passes auth and validation. */
  enqueue(...scripts: FakeScript[]): void;
  /** Native API base, for Bailian applications: http://127.0.0.1:PORT/api/v1 */
  nativeUrl: string;
  /** FIFO, one consumed per embeddings request that passes auth and validation. */
  enqueueEmbeddings(...scripts: EmbeddingScript[]): void;
  /** FIFO, one consumed per call of a known, published application. */
  enqueueApp(...scripts: AppScript[]): void;
  /** Makes an application known (replacing one with the same id). Also POST /__fake/apps. */
  registerApp(app: FakeApp): void;
  /** FIFO, one consumed per chat request with `image_url` parts. */
  enqueueVision(...scripts: VisionScript[]): void;
  /** FIFO, one consumed per speech recognition request that passes auth and validation. */
  enqueueSpeech(...scripts: SpeechScript[]): void;
  /** FIFO, one consumed per speech synthesis request that passes auth and validation. */
  enqueueTts(...scripts: TtsScript[]): void;
  /** FIFO, one consumed per Wanx submit that passes auth and validation. */
  enqueueImage(...scripts: ImageScript[]): void;
  /** Every chat-completions, embeddings, application, speech and Wanx request received, in order (not result downloads). */
  requests: RecordedRequest[];
  /** Clears the queues and recorded requests (registered apps stay). */
  reset(): void;
  /** Ends hanging responses and closes the server. */
  close(): Promise<void>;
}

export interface StartOptions {
  port?: number;
  host?: string;
  apiKey?: string;
  /** Bailian applications known from the start */
  apps?: FakeApp[];
}
