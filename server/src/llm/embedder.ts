import { LlmError } from "./chat-model.js";

/** What retrieval needs from an embedding model, so indexing and search never see the openai SDK. */

export interface EmbedRequest {
  texts: string[];
  /** The site's own DashScope key; the server's when absent. */
  apiKey?: string;
  signal?: AbortSignal;
}

/** One upstream attempt, so the caller can write its api_calls row (conversation and message null). */
export interface EmbedCall {
  model: string;
  /** 1 for a batch's first try, 2… for its retries */
  attempt: number;
  outcome: "ok" | "error";
  /** DashScope's own code (or our LlmError kind when there was none) */
  errorCode: string | null;
  /** upstream's HTTP status; null when there was no answer */
  httpStatus: number | null;
  /** input tokens DashScope billed for this attempt */
  tokens: number | null;
  latencyMs: number;
  upstreamRequestId: string | null;
  /** texts in this attempt's batch */
  inputs: number;
}

export interface EmbedResult {
  /** One per text, in order, L2-normalised (cosine similarity is a dot product). */
  vectors: Float32Array[];
  /** input tokens billed, summed over the successful attempts */
  tokens: number;
  calls: EmbedCall[];
}

export interface Embedder {
  readonly model: string;
  readonly dimensions: number;
  /** Throws EmbedError (an LlmError that also carries the calls made) once retries are spent. */
  embed(request: EmbedRequest): Promise<EmbedResult>;
}

/** Why embedding failed (kind, upstream code, status as LlmError) and every attempt made before it did. */
export class EmbedError extends LlmError {
  constructor(
    cause: LlmError,
    readonly calls: EmbedCall[],
  ) {
    super(cause.kind, cause.message, cause.info);
    this.name = "EmbedError";
  }
}
