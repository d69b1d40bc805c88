import { fakeEmbedding } from "../../src/llm/dashscope-fake.js";

/**
 * The vectors the local DashScope fake answers /embeddings with (texts sharing words or CJK
 * bigrams are close, no synonyms), made without HTTP: for seeding chunk rows in tests and the
 * retrieval benchmark.
 */
export function hashEmbedding(text: string, dims = 512): Float32Array {
  return fakeEmbedding(text, dims);
}

export function normalise(v: Float32Array): Float32Array {
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let d = 0; d < v.length; d++) v[d] /= norm;
  return v;
}

/** The BLOB a chunk row stores: float32 little-endian. */
export function embeddingBlob(v: Float32Array): Uint8Array {
  const bytes = new Uint8Array(v.length * 4);
  const view = new DataView(bytes.buffer);
  v.forEach((x, d) => view.setFloat32(d * 4, x, true));
  return bytes;
}
