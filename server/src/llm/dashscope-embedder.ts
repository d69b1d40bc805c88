import type OpenAI from "openai";
import { LlmError } from "./chat-model.js";
import { type EmbedCall, type Embedder, EmbedError, type EmbedRequest, type EmbedResult } from "./embedder.js";
import { toLlmError } from "./upstream-errors.js";
import { deadline } from "./deadline.js";
import { openAiClients } from "./openai-clients.js";

export const EMBEDDING_MODEL = "text-embedding-v4";
/**
 * v4 offers 64…2048 (default 1024; dashscope.md §2.6). 512 halves the memory each chunk takes in
 * the in-process index (2 KB as float32) and what a vector column stores, for a small loss in
 * recall on the short passages a site's knowledge base is cut into.
 */
export const EMBEDDING_DIMENSIONS = 512;
/** v3/v4 take at most 10 inputs a request; more is a 400 "batch size is invalid" (§2.6). */
export const EMBEDDING_BATCH = 10;

const MAX_ATTEMPTS = 3;
const BACKOFF_MS = [500, 1500];

export interface DashScopeEmbedderOptions {
  baseUrl: string;
  apiKey?: string;
  timeoutMs: number;
  /** Waits before the 2nd, 3rd… attempt (tests shorten them); jittered by up to a fifth. */
  backoffMs?: number[];
}

/** text-embedding-v4 in compatible mode through the openai SDK, batched and retried. */
export function createDashScopeEmbedder(options: DashScopeEmbedderOptions): Embedder {
  const backoff = options.backoffMs ?? BACKOFF_MS;
  const clientFor = openAiClients(options);

  async function attempt(client: OpenAI, texts: string[], signal: AbortSignal | undefined) {
    const time = deadline(options.timeoutMs, signal);
    try {
      const { data: response, response: raw } = await client.embeddings
        .create(
          // "float": the SDK asks for base64 when unset, which DashScope does not offer (platform-next.md §5).
          { model: EMBEDDING_MODEL, input: texts, dimensions: EMBEDDING_DIMENSIONS, encoding_format: "float" },
          { signal: time.signal },
        )
        .withResponse();
      const requestId = raw.headers.get("x-request-id");
      const byIndex = [...response.data].sort((a, b) => a.index - b.index);
      if (byIndex.length !== texts.length || byIndex.some((d) => d.embedding?.length !== EMBEDDING_DIMENSIONS)) {
        throw new LlmError("malformed", "The embedding model sent vectors we cannot use.", { requestId });
      }
      return { vectors: byIndex.map((d) => normalised(d.embedding)), tokens: response.usage?.total_tokens ?? 0, requestId };
    } catch (err) {
      throw toLlmError(err, { timedOut: time.timedOut, aborted: signal?.aborted ?? false, requestId: null });
    } finally {
      time.end();
    }
  }

  return {
    model: EMBEDDING_MODEL,
    dimensions: EMBEDDING_DIMENSIONS,
    async embed(request: EmbedRequest): Promise<EmbedResult> {
      const calls: EmbedCall[] = [];
      const result: EmbedResult = { vectors: [], tokens: 0, calls };
      if (request.texts.length === 0) return result;
      const apiKey = request.apiKey ?? options.apiKey;
      if (!apiKey) throw new EmbedError(new LlmError("auth", "No DashScope API key is configured."), calls);
      // The service rejects an empty input; saying so here names the caller's bug instead of a 400.
      if (request.texts.some((t) => t.trim() === "")) {
        throw new EmbedError(new LlmError("bad_request", "Cannot embed an empty text."), calls);
      }
      const client = clientFor(apiKey);
      for (let start = 0; start < request.texts.length; start += EMBEDDING_BATCH) {
        const batch = request.texts.slice(start, start + EMBEDDING_BATCH);
        for (let n = 1; ; n++) {
          const began = performance.now();
          const call = (fields: Partial<EmbedCall>): EmbedCall => ({
            model: EMBEDDING_MODEL,
            attempt: n,
            outcome: "ok",
            errorCode: null,
            httpStatus: 200,
            tokens: null,
            latencyMs: Math.round(performance.now() - began),
            upstreamRequestId: null,
            inputs: batch.length,
            ...fields,
          });
          try {
            const done = await attempt(client, batch, request.signal);
            calls.push(call({ tokens: done.tokens, upstreamRequestId: done.requestId }));
            result.vectors.push(...done.vectors);
            result.tokens += done.tokens;
            break;
          } catch (err) {
            const failure = err as LlmError;
            const { upstreamCode, status, requestId } = failure.info;
            calls.push(
              call({
                outcome: "error",
                errorCode: upstreamCode ?? failure.kind,
                httpStatus: status ?? null,
                upstreamRequestId: requestId ?? null,
              }),
            );
            if (!failure.retryable || n >= MAX_ATTEMPTS) throw new EmbedError(failure, calls);
            await pause(jitter(backoff[Math.min(n - 1, backoff.length - 1)] ?? 0), request.signal);
            if (request.signal?.aborted) throw new EmbedError(new LlmError("aborted", "The request was stopped."), calls);
          }
        }
      }
      return result;
    },
  };
}

/** v4's vectors come normalised; made so here anyway, since the index compares by dot product. */
function normalised(values: number[]): Float32Array {
  const out = Float32Array.from(values);
  let sum = 0;
  for (const v of out) sum += v * v;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < out.length; i++) out[i] = out[i]! / norm;
  return out;
}

const jitter = (ms: number) => ms + Math.random() * ms * 0.2;

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
