/**
 * A site's chunk vectors, packed in one Int8Array: each L2-normalised float32 vector is scaled so
 * its largest component is ±127 and rounded, with the scale kept beside it. 512 bytes a chunk
 * instead of 2,048 (50,000 chunks: 26 MB instead of 102 MB), and the brute-force scan reads a
 * quarter of the memory. The rounding moves a dot product by about 0.002 (measured in
 * bench/retrieval.ts), far below the gap between a relevant chunk and the next.
 */
export class VectorStore {
  readonly dims: number;
  count = 0;
  private codes: Int8Array;
  /** per chunk: the float value of one code step; 0 when the chunk has no vector yet */
  private scales: Float32Array;

  constructor(dims: number, capacity = 256) {
    // nearest() reads four components a step
    if (dims % 4 !== 0) throw new Error(`vector dimensions must be a multiple of 4, not ${dims}`);
    this.dims = dims;
    this.codes = new Int8Array(dims * capacity);
    this.scales = new Float32Array(capacity);
  }

  get bytes(): number {
    return this.codes.byteLength + this.scales.byteLength;
  }

  /** Adds the next chunk's vector from its BLOB (float32 little-endian); a missing or misshapen one leaves the chunk without. */
  add(blob: Uint8Array | null): void {
    const i = this.count++;
    if (i >= this.scales.length) this.resize(Math.max(16, this.scales.length * 2));
    if (!blob || blob.byteLength !== this.dims * 4) return;
    const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    let max = 0;
    for (let d = 0; d < this.dims; d++) max = Math.max(max, Math.abs(view.getFloat32(d * 4, true)));
    if (!(max > 0)) return;
    const step = max / 127;
    const base = i * this.dims;
    for (let d = 0; d < this.dims; d++) this.codes[base + d] = Math.round(view.getFloat32(d * 4, true) / step);
    this.scales[i] = step;
  }

  /** Gives back the room grown for chunks that never came. */
  trim(): this {
    if (this.scales.length !== this.count) this.resize(this.count);
    return this;
  }

  private resize(capacity: number): void {
    const codes = new Int8Array(this.dims * capacity);
    codes.set(this.codes.subarray(0, Math.min(this.codes.length, codes.length)));
    const scales = new Float32Array(capacity);
    scales.set(this.scales.subarray(0, Math.min(this.scales.length, capacity)));
    this.codes = codes;
    this.scales = scales;
  }

  /** Chunk `i`'s similarity to `query`; null when it has no vector. */
  similarity(i: number, query: Float32Array): number | null {
    const scale = this.scales[i];
    if (scale === 0 || query.length !== this.dims) return null;
    let sum = 0;
    for (let d = 0, base = i * this.dims; d < this.dims; d++) sum += this.codes[base + d] * query[d];
    return sum * scale;
  }

  /**
   * The `k` chunks most similar to `query` (the dot product: both are L2-normalised, so it is the
   * cosine), best first. One pass over every vector; the inner loop is unrolled by four, which V8
   * turns into straight-line loads and multiply-adds.
   */
  nearest(query: Float32Array, k: number): Array<{ i: number; score: number }> {
    const dims = this.dims;
    if (query.length !== dims || k <= 0) return [];
    const codes = this.codes;
    const top = new TopK(k);
    for (let i = 0; i < this.count; i++) {
      const scale = this.scales[i];
      if (scale === 0) continue;
      let base = i * dims;
      const end = base + dims;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      for (let d = 0; base < end; base += 4, d += 4) {
        s0 += codes[base] * query[d];
        s1 += codes[base + 1] * query[d + 1];
        s2 += codes[base + 2] * query[d + 2];
        s3 += codes[base + 3] * query[d + 3];
      }
      top.offer(i, (s0 + s1 + s2 + s3) * scale);
    }
    return top.sorted();
  }
}

/** The k best of a stream of scores, kept in a small min-heap: no sort of every chunk. */
export class TopK {
  private readonly ids: Int32Array;
  private readonly scores: Float64Array;
  private size = 0;
  constructor(private readonly k: number) {
    this.ids = new Int32Array(k);
    this.scores = new Float64Array(k);
  }

  offer(id: number, score: number): void {
    if (this.size < this.k) {
      let j = this.size++;
      while (j > 0) {
        const parent = (j - 1) >> 1;
        if (this.scores[parent] <= score) break;
        this.ids[j] = this.ids[parent];
        this.scores[j] = this.scores[parent];
        j = parent;
      }
      this.ids[j] = id;
      this.scores[j] = score;
      return;
    }
    if (score <= this.scores[0]) return;
    // replace the smallest and sift down
    let j = 0;
    for (;;) {
      const l = 2 * j + 1;
      if (l >= this.size) break;
      const r = l + 1;
      const c = r < this.size && this.scores[r] < this.scores[l] ? r : l;
      if (this.scores[c] >= score) break;
      this.ids[j] = this.ids[c];
      this.scores[j] = this.scores[c];
      j = c;
    }
    this.ids[j] = id;
    this.scores[j] = score;
  }

  sorted(): Array<{ i: number; score: number }> {
    const out: Array<{ i: number; score: number }> = [];
    for (let j = 0; j < this.size; j++) out.push({ i: this.ids[j], score: this.scores[j] });
    return out.sort((a, b) => b.score - a.score || a.i - b.i);
  }
}
