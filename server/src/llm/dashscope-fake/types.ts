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
  | { kind: "malformed"; text: string; afterChunks: number };

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
  /** Every chat-completions request received, in order. */
  requests: RecordedRequest[];
  /** Clears queue and recorded requests. */
  reset(): void;
  /** Ends hanging responses and closes the server. */
  close(): Promise<void>;
}

export interface StartOptions {
  port?: number;
  host?: string;
  apiKey?: string;
}
