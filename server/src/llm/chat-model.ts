/** What the chat path needs from a model, so the service never sees the openai SDK. */

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  temperature: number;
  maxTokens: number;
  /** The site's own DashScope key; the server's when absent. */
  apiKey?: string;
  signal?: AbortSignal;
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

export type ChatChunk =
  { type: "text"; text: string } | { type: "end"; finishReason: string | null; usage: Usage | null; requestId: string | null };

/**
 * What went wrong upstream, normalised: `kind` decides retry and what the visitor is told;
 * `upstreamCode` is DashScope's own code, kept for the api_calls row.
 */
export type LlmErrorKind =
  "rate_limited" | "unavailable" | "timeout" | "refused" | "auth" | "bad_request" | "connection" | "malformed" | "aborted";

export class LlmError extends Error {
  constructor(
    readonly kind: LlmErrorKind,
    message: string,
    readonly info: { upstreamCode?: string | null; status?: number | null; requestId?: string | null } = {},
  ) {
    super(message);
    this.name = "LlmError";
  }

  /** Worth another attempt if no text has reached the visitor yet. */
  get retryable(): boolean {
    if (this.kind === "rate_limited") {
      // Allocated/free quota exhausted will not recover within a chat request (dashscope.md §3.2).
      return !/AllocationQuota|insufficient_quota|FreeTierOnly/i.test(this.info.upstreamCode ?? "");
    }
    return this.kind === "unavailable" || this.kind === "connection";
  }
}

export interface ChatModel {
  /** Yields text deltas then one `end`; throws LlmError. */
  stream(request: ChatRequest): AsyncIterable<ChatChunk>;
}
