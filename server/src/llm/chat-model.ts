/** What the chat path needs from a model, so the service never sees the openai SDK. */

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
  /**
   * A user turn's pictures, for a Qwen-VL model: URLs DashScope can fetch (a signed OSS link) or
   * data: URLs (base64). Sent as `image_url` content parts before the text (dashscope.md §4a of
   * platform-next.md).
   */
  images?: string[];
}

/** A function the model may call (compatible-mode `tools`); docs/media.md: generate_image. */
export interface ToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the arguments */
  parameters: Record<string, unknown>;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  temperature: number;
  maxTokens: number;
  /** The site's own DashScope key; the server's when absent. */
  apiKey?: string;
  /** functions the model may call; none: a plain answer */
  tools?: ToolSpec[];
  signal?: AbortSignal;
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

export type ChatChunk =
  | { type: "text"; text: string }
  /** a whole function call, once its streamed pieces are complete (accumulated by index, platform-next.md §4d) */
  | { type: "tool_call"; id: string; name: string; arguments: string }
  | { type: "end"; finishReason: string | null; usage: Usage | null; requestId: string | null };

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
