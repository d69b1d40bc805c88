/**
 * A deterministic stand-in for text-embedding-v4, for tests, the retrieval benchmark and the
 * offline eval: each feature of the text (a lower-cased latin word, a CJK character and each CJK
 * character pair) is hashed to one of `dims` components with a ± sign, and the sum is
 * L2-normalised, as DashScope's vectors are. Texts sharing words land near each other; it knows
 * no synonyms, so a paraphrase with no shared word is far (the real embedder's job). Local to this
 * branch: the DashScope fake's fakeEmbedding(text, dims) is meant to replace it.
 */
export function hashEmbedding(text: string, dims = 512): Float32Array {
  const v = new Float32Array(dims);
  const add = (feature: string) => {
    const h = fnv1a(feature);
    v[h % dims] += h & 0x8000_0000 ? -1 : 1;
  };
  for (const [token] of text.toLowerCase().matchAll(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]+|[\p{L}\p{N}]+/gu)) {
    const chars = Array.from(token);
    if (!/^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u.test(token)) {
      add(token);
      continue;
    }
    for (let i = 0; i < chars.length; i++) {
      add(chars[i]);
      if (i + 1 < chars.length) add(chars[i] + chars[i + 1]);
    }
  }
  return normalise(v);
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

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
