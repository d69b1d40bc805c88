// Wire-format helpers for the DashScope OpenAI-compatible fake. Protocol facts: /work/shared/dashscope.md.

export interface ModelInfo {
  /** Max output tokens; only used in the text of the max_tokens range error (limits drift, §6.2). */
  maxOutput: number;
  /** Open-source hybrid Qwen3 models think by default, which makes non-stream calls fail (§2.3). */
  thinkingByDefault?: boolean;
  /** takes `image_url` parts (Qwen-VL and the natively multimodal models, platform-next.md §4a) */
  vision?: boolean;
}

const BASE_MODELS: Record<string, ModelInfo> = {
  "qwen-flash": { maxOutput: 32768 },
  "qwen-turbo": { maxOutput: 16384 },
  "qwen-plus": { maxOutput: 32768 },
  "qwen-max": { maxOutput: 8192 },
  "qwen3-max": { maxOutput: 65536 },
  "qwen3.5-plus": { maxOutput: 65536, vision: true },
  "qwen3-vl-plus": { maxOutput: 32768, vision: true },
  "qwen3-vl-flash": { maxOutput: 32768, vision: true },
  "qwen-vl-plus": { maxOutput: 8192, vision: true },
  "qwen-vl-max": { maxOutput: 8192, vision: true },
  // Speech recognition through chat completions (platform-next.md §4b).
  "qwen3-asr-flash": { maxOutput: 8192 },
  "qwen3-235b-a22b-instruct-2507": { maxOutput: 32768 },
  "qwen3-30b-a3b-instruct-2507": { maxOutput: 32768 },
  "qwen3-32b": { maxOutput: 16384, thinkingByDefault: true },
  "qwen3-14b": { maxOutput: 16384, thinkingByDefault: true },
  "qwen3-8b": { maxOutput: 16384, thinkingByDefault: true },
};

export const MODELS: Record<string, ModelInfo> = Object.fromEntries(
  Object.entries(BASE_MODELS).flatMap(([id, info]) => [
    [id, info],
    [`${id}-latest`, info],
  ]),
);

// Fixed so that /models output is stable across runs.
const MODELS_CREATED = 1752741600;

export function modelList() {
  return {
    object: "list",
    data: Object.keys(MODELS).map((id) => ({ id, object: "model", created: MODELS_CREATED, owned_by: "system" })),
  };
}

// ---------------------------------------------------------------- errors (§3.1, §3.2)

export interface ErrorSpec {
  status: number;
  code: string;
  message: string;
  type: string;
}

const DOC = "https://help.aliyun.com/zh/model-studio/error-code";

/** Default `type` and `message` per code, from the §3.2 table and the captures in §3.2 notes. */
const KNOWN_ERRORS: Record<string, { type: string; message: string }> = {
  invalid_parameter_error: { type: "invalid_request_error", message: "Required body invalid, please check the request body format." },
  invalid_value: { type: "invalid_request_error", message: "-1 is lesser than the minimum of 0 - 'seed'" },
  data_inspection_failed: {
    type: "data_inspection_failed",
    message: `Input data may contain inappropriate content. For details, see: ${DOC}#inappropriate-content`,
  },
  DataInspectionFailed: { type: "data_inspection_failed", message: "Input data may contain inappropriate content." },
  Arrearage: {
    type: "Arrearage",
    message: `Access denied, please make sure your account is in good standing. For details, see: ${DOC}#overdue-payment`,
  },
  invalid_api_key: { type: "invalid_request_error", message: `Incorrect API key provided. For details, see: ${DOC}#apikey-error` },
  access_denied: { type: "invalid_request_error", message: "Access denied." },
  "Model.AccessDenied": { type: "invalid_request_error", message: "Model access denied." },
  model_not_found: { type: "invalid_request_error", message: "The model does not exist or you do not have access to it." },
  model_not_supported: { type: "invalid_request_error", message: "Unsupported model for OpenAI compatibility mode." },
  limit_requests: {
    type: "limit_requests",
    message: `You have exceeded your current request limit. For details, see: ${DOC}#rate-limit`,
  },
  "Throttling.RateQuota": { type: "limit_requests", message: "Requests rate limit exceeded, please try again later." },
  insufficient_quota: {
    type: "insufficient_quota",
    message: "You exceeded your current quota, please check your plan and billing details.",
  },
  "Throttling.AllocationQuota": { type: "insufficient_quota", message: "Allocated quota exceeded, please increase your quota limit." },
  limit_burst_rate: {
    type: "limit_burst_rate",
    message:
      "Request rate increased too quickly. To ensure system stability, please adjust your client logic to scale requests more smoothly over time.",
  },
  "Throttling.BurstRate": {
    type: "limit_burst_rate",
    message:
      "Request rate increased too quickly. To ensure system stability, please adjust your client logic to scale requests more smoothly over time.",
  },
  Throttling: { type: "Throttling", message: "Requests throttling triggered." },
  // "occured" is the service's own spelling (§3.2).
  internal_error: { type: "internal_error", message: "An internal error has occured, please try again later or contact service support." },
  InternalError: { type: "internal_error", message: "An internal error has occured, please try again later or contact service support." },
  "InternalError.Algo": {
    type: "internal_error",
    message: "An error occurred in model serving, error message is: [Request rejected by inference engine!]",
  },
  RequestTimeOut: { type: "RequestTimeOut", message: "Request timed out, please try again later." },
  ModelUnavailable: { type: "ModelUnavailable", message: "Model is unavailable, please try again later." },
  ModelServingError: {
    type: "ModelServingError",
    message: "Too many requests. Your requests are being throttled due to system capacity limits. Please try again later.",
  },
};

export function errorSpec(status: number, code: string, message?: string, type?: string): ErrorSpec {
  const known = KNOWN_ERRORS[code];
  const fallbackType = status >= 500 ? "internal_error" : status === 429 ? code : "invalid_request_error";
  return {
    status,
    code,
    type: type ?? known?.type ?? fallbackType,
    message: message ?? known?.message ?? `${code}`,
  };
}

/** Shape A / B envelope: error + `id: chatcmpl-<rid>` + `request_id` (§3.1). */
export function errorBody(rid: string, e: ErrorSpec) {
  return {
    error: { code: e.code, param: null, message: e.message, type: e.type },
    id: `chatcmpl-${rid}`,
    request_id: rid,
  };
}

/** The gateway's 401 body, verbatim key order and no `id` (§3.1 A, captured). */
export function invalidApiKeyBody(rid: string) {
  const e = KNOWN_ERRORS.invalid_api_key!;
  return { error: { message: e.message, type: e.type, param: null, code: "invalid_api_key" }, request_id: rid };
}

// ---------------------------------------------------------------- stream chunks (§2.3)

export interface ChunkCtx {
  id: string;
  created: number;
  model: string;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

function chunk(ctx: ChunkCtx, choices: unknown[], usage: Usage | null = null) {
  return { choices, object: "chat.completion.chunk", usage, created: ctx.created, system_fingerprint: null, model: ctx.model, id: ctx.id };
}

export const roleChunk = (ctx: ChunkCtx) =>
  chunk(ctx, [{ delta: { content: "", role: "assistant" }, index: 0, logprobs: null, finish_reason: null }]);

export const contentChunk = (ctx: ChunkCtx, content: string) =>
  chunk(ctx, [{ finish_reason: null, delta: { content }, index: 0, logprobs: null }]);

export const finalChunk = (ctx: ChunkCtx, finishReason: string) =>
  chunk(ctx, [{ finish_reason: finishReason, delta: { content: "" }, index: 0, logprobs: null }]);

export const usageChunk = (ctx: ChunkCtx, usage: Usage) => chunk(ctx, [], usage);

export function completionBody(ctx: ChunkCtx, content: string, finishReason: string, usage: Usage) {
  return {
    choices: [{ message: { role: "assistant", content }, finish_reason: finishReason, index: 0, logprobs: null }],
    object: "chat.completion",
    usage: { ...usage, prompt_tokens_details: { cached_tokens: 0 } },
    created: ctx.created,
    system_fingerprint: null,
    model: ctx.model,
    id: ctx.id,
  };
}

export const sseFrame = (data: unknown) => `data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;
export const SSE_DONE = "data: [DONE]\n\n";
export const SSE_CONTENT_TYPE = "text/event-stream;charset=UTF-8";
export const JSON_CONTENT_TYPE = "application/json";

// ---------------------------------------------------------------- text and tokens

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef]/u;

export const hasCjk = (text: string) => CJK.test(text);

/**
 * Roughly what Qwen's tokenizer makes of a character: Latin text about four characters a token, a
 * common CJK character one, other scripts of the BMP (Thai, Cyrillic, Arabic…) about one a
 * character, and a character outside the BMP (emoji, CJK Extension B) two or more — the rare
 * ones Qwen's byte-level BPE splits into their bytes. Never more than its UTF-8 bytes, as the
 * real tokenizer (shared/token-bound.ts): tests of that bound are meaningful against the fake.
 */
function charTokens(ch: string): number {
  if (ch.length > 1) return 2;
  if (CJK.test(ch)) return 1;
  return ch.charCodeAt(0) < 0x80 ? 0.25 : 1;
}

/** The fake's token count of a text, at least 1 (see charTokens). */
export function estimateTokens(text: string): number {
  let tokens = 0;
  for (const ch of text) tokens += charTokens(ch);
  return Math.max(1, Math.ceil(tokens));
}

/**
 * prompt_tokens as DashScope reports them: each message's text plus its chat-template framing
 * (`<|im_start|>role\n…<|im_end|>\n`, 5 tokens) and the reply's opening (`<|im_start|>assistant\n`,
 * 3). dashscope.md §2.3's example (a one-line system prompt and "你是谁？") reports 22; this says 24.
 */
// any: request bodies are the clients' JSON, unchecked (see types.ts).
export function promptTokens(body: any): number {
  const messages: any[] = Array.isArray(body?.messages) ? body.messages : [];
  return messages.reduce((sum: number, m) => sum + estimateTokens(contentText(m?.content)) + 5, 3);
}

/** Longest prefix (on a code point boundary) whose estimate fits in `limit` tokens. */
export function truncateToTokens(text: string, limit: number): string {
  let tokens = 0;
  let end = 0;
  for (const ch of text) {
    tokens += charTokens(ch);
    if (Math.ceil(tokens) > limit) break;
    end += ch.length;
  }
  return text.slice(0, end);
}

/** Splits into pieces of `size` code points, so surrogate pairs stay whole. */
export function splitText(text: string, size = 4): string[] {
  const points = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < points.length; i += size) out.push(points.slice(i, i + size).join(""));
  return out;
}

/** Text of a message's content: a string or an array of `{type:"text",text}` parts (§2.1). */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((p) => (p && typeof p === "object" && typeof (p as { text?: unknown }).text === "string" ? (p as { text: string }).text : ""))
      .join("");
  }
  return "";
}

// any: request bodies are the clients' JSON, unchecked (see types.ts).
export function promptText(body: any): string {
  return Array.isArray(body?.messages) ? body.messages.map((m: any) => contentText(m?.content)).join("\n") : "";
}

export function lastUserText(body: any): string {
  const messages: any[] = Array.isArray(body?.messages) ? body.messages : [];
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]?.role === "user") return contentText(messages[i].content);
  return "";
}

/** The first sentence, and the second when the first is short (under 80 characters); at most about 200. */
export function firstSentences(text: string): string {
  const sentences = text
    .replace(/\s+/g, " ")
    .trim()
    .match(/[^.!?。！？]+[.!?。！？]*/g) ?? [text];
  let out = "";
  for (const [i, s] of sentences.entries()) {
    if (i === 2 || (out && out.length + s.length > 200)) break;
    out += s;
    if (out.length >= 80) break;
  }
  return out.trim();
}
