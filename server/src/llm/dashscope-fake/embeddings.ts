// The fake's /compatible-mode/v1/embeddings (dashscope.md §2.6): validation and deterministic vectors.
import { errorSpec, estimateTokens, type ErrorSpec } from "./protocol.js";

/** Allowed `dimensions` and batch size per model (§2.6 table). */
export const EMBEDDING_MODELS: Record<string, { dimensions: number[]; defaultDimensions: number; maxBatch: number }> = {
  "text-embedding-v4": { dimensions: [2048, 1536, 1024, 768, 512, 256, 128, 64], defaultDimensions: 1024, maxBatch: 10 },
  "text-embedding-v3": { dimensions: [1024, 768, 512, 256, 128, 64], defaultDimensions: 1024, maxBatch: 10 },
  "text-embedding-v2": { dimensions: [1536], defaultDimensions: 1536, maxBatch: 25 },
  "text-embedding-v1": { dimensions: [1536], defaultDimensions: 1536, maxBatch: 25 },
};

const bad = (message: string) => errorSpec(400, "invalid_parameter_error", message, "invalid_request_error");

/** The error the service would answer with, or the accepted inputs and dimensions. */
export function validateEmbeddingRequest(body: any): { error: ErrorSpec } | { texts: string[]; dimensions: number; model: string } {
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    return { error: bad("Required body invalid, please check the request body format.") };
  }
  const info = typeof body.model === "string" ? EMBEDDING_MODELS[body.model] : undefined;
  if (!info) {
    const model = String(body.model ?? "");
    return { error: errorSpec(404, "model_not_found", `The model ${model} does not exist or you do not have access to it.`) };
  }
  const input: unknown = body.input;
  const texts = typeof input === "string" ? [input] : input;
  if (!Array.isArray(texts) || texts.length === 0 || texts.some((t) => typeof t !== "string" || t === "")) {
    // Wording UNVERIFIED; the service does reject missing, empty and non-string inputs.
    return { error: bad("Value error, contents is neither str nor list of str.") };
  }
  if (texts.length > info.maxBatch) {
    return { error: bad(`Value error, batch size is invalid, it should not be larger than ${info.maxBatch}.`) };
  }
  const dimensions = body.dimensions ?? info.defaultDimensions;
  if (!info.dimensions.includes(dimensions)) {
    return { error: bad(`Value error, dimensions is invalid, it should be one of ${JSON.stringify(info.dimensions)}.`) };
  }
  // Only float is offered (platform-next.md §5); the openai SDK's default is base64.
  if (body.encoding_format !== undefined && body.encoding_format !== "float") {
    return { error: bad("Value error, encoding_format only supports float.") };
  }
  return { texts: texts as string[], dimensions, model: body.model };
}

/** OpenAI-shaped response (§2.6), vectors as plain numbers. */
export function embeddingsBody(model: string, texts: string[], dimensions: number) {
  const tokens = texts.reduce((sum, t) => sum + estimateTokens(t), 0);
  return {
    object: "list",
    data: texts.map((t, index) => ({ object: "embedding", index, embedding: Array.from(fakeEmbedding(t, dimensions)) })),
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

const LATIN_OR_DIGITS = /[\p{Script=Latin}\p{Nd}]+/gu;
const CJK_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+/gu;

/**
 * A deterministic stand-in for a real embedding, meaningful enough for retrieval to work offline:
 * lower-cased Latin words and numbers, CJK single characters and bigrams are hashed into
 * `dimensions` signed buckets (the hashing trick), weighted 1 + ln(tf), then L2-normalised. Texts
 * sharing words or bigrams are close by cosine; unrelated ones are near 0. Single CJK characters
 * weigh half a bigram, so shared phrases count for more than shared common characters.
 */
export function fakeEmbedding(text: string, dimensions: number): Float32Array {
  const normal = text.normalize("NFKC").toLowerCase();
  const counts = new Map<string, number>();
  const weights = new Map<string, number>();
  const add = (feature: string, weight: number) => {
    counts.set(feature, (counts.get(feature) ?? 0) + 1);
    weights.set(feature, weight);
  };
  for (const [word] of normal.matchAll(LATIN_OR_DIGITS)) add(`w:${word}`, 1);
  for (const [run] of normal.matchAll(CJK_RUN)) {
    const chars = Array.from(run);
    for (let i = 0; i < chars.length; i++) {
      add(`c:${chars[i]}`, 0.5);
      if (i + 1 < chars.length) add(`b:${chars[i]}${chars[i + 1]}`, 1);
    }
  }
  // Nothing to hash (punctuation, emoji): the whole text, so equal texts stay equal.
  if (counts.size === 0) add(`t:${normal}`, 1);

  const vector = new Float32Array(dimensions);
  for (const [feature, count] of counts) {
    const hash = fnv1a(feature);
    const sign = fnv1a(`±${feature}`) & 1 ? 1 : -1;
    vector[hash % dimensions]! += sign * weights.get(feature)! * (1 + Math.log(count));
  }
  let sum = 0;
  for (const v of vector) sum += v * v;
  const norm = Math.sqrt(sum) || 1;
  for (let i = 0; i < dimensions; i++) vector[i] = vector[i]! / norm;
  return vector;
}

/** 32-bit FNV-1a over UTF-16 units: small, fast, and the same in every run. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
