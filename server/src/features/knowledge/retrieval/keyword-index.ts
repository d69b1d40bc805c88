import { TopK } from "./vector-store.js";

/** BM25's usual constants: term-frequency saturation and length normalisation. */
const K1 = 1.2;
const B = 0.75;

export interface KeywordHit {
  i: number;
  score: number;
  /** the share of the query's weight (IDF) this chunk contains, 0..1: the relevance verdict reads it */
  coverage: number;
}

/**
 * BM25 over a site's chunks, in compressed-row form: one Map from term to term number, and for
 * all terms together one array of chunk numbers and one of counts, cut into each term's postings
 * by `offsets`. 5 bytes a (term, chunk) pair instead of a JS object per posting, so 50,000 chunks
 * fit in tens of MB.
 */
export class KeywordIndex {
  private readonly terms = new Map<string, number>();
  private offsets = new Int32Array(0);
  private docs = new Int32Array(1 << 12);
  private counts = new Uint8Array(1 << 12);
  private lengths = new Uint16Array(1 << 8);
  private averageLength = 1;
  private totalLength = 0;
  /** chars held by the term strings, for the memory estimate */
  private termChars = 0;
  /** while adding: each posting's term number (sorted away by finish) */
  private termIds: Int32Array | null = new Int32Array(1 << 12);
  private pairs = 0;
  count = 0;

  /**
   * Adds the next chunk's terms (documentTerms), so a build never holds every chunk's text at
   * once; postings go into growable arrays, terms numbered in order of first sight.
   */
  add(terms: string[]): void {
    if (!this.termIds) throw new Error("KeywordIndex: add after finish");
    const i = this.count++;
    if (i >= this.lengths.length) this.lengths = grow(this.lengths, this.lengths.length * 2);
    this.lengths[i] = Math.min(terms.length, 65_535);
    this.totalLength += terms.length;
    const local = new Map<number, number>();
    for (const term of terms) {
      let id = this.terms.get(term);
      if (id === undefined) {
        id = this.terms.size;
        this.terms.set(term, id);
        this.termChars += term.length;
      }
      local.set(id, (local.get(id) ?? 0) + 1);
    }
    if (this.pairs + local.size > this.docs.length) {
      const size = Math.max(this.docs.length * 2, this.pairs + local.size);
      this.docs = grow(this.docs, size);
      this.counts = grow(this.counts, size);
      this.termIds = grow(this.termIds, size);
    }
    for (const [id, tf] of local) {
      this.termIds[this.pairs] = id;
      this.docs[this.pairs] = i;
      this.counts[this.pairs] = Math.min(tf, 255);
      this.pairs++;
    }
  }

  /** A counting sort by term, so each term's postings are contiguous (in chunk order); arrays trimmed to size. */
  finish(): this {
    const termIds = this.termIds;
    if (!termIds) return this;
    const pairs = this.pairs;
    const offsets = new Int32Array(this.terms.size + 1);
    for (let p = 0; p < pairs; p++) offsets[termIds[p] + 1]++;
    for (let t = 0; t < this.terms.size; t++) offsets[t + 1] += offsets[t];
    const cursor = offsets.slice(0, this.terms.size);
    const docs = new Int32Array(pairs);
    const counts = new Uint8Array(pairs);
    for (let p = 0; p < pairs; p++) {
      const at = cursor[termIds[p]]++;
      docs[at] = this.docs[p];
      counts[at] = this.counts[p];
    }
    this.offsets = offsets;
    this.docs = docs;
    this.counts = counts;
    this.lengths = this.lengths.slice(0, this.count);
    this.averageLength = Math.max(1, this.totalLength / Math.max(1, this.count));
    this.termIds = null;
    return this;
  }

  /** Approximate bytes held: the arrays, plus the term Map at about 40 bytes an entry beyond its characters. */
  get bytes(): number {
    return (
      this.offsets.byteLength +
      this.docs.byteLength +
      this.counts.byteLength +
      this.lengths.byteLength +
      this.terms.size * 40 +
      this.termChars * 2
    );
  }

  private idf(df: number): number {
    return Math.log(1 + (this.count - df + 0.5) / (df + 0.5));
  }

  /** The `k` best chunks for the query's distinct terms (queryTerms), best first. */
  search(queryTerms: string[], k: number): KeywordHit[] {
    // Dense accumulators: a term in every chunk (茶, tea) touches every chunk, and a typed array
    // is an order of magnitude faster than a Map at that.
    const scores = new Float64Array(this.count);
    const weights = new Float64Array(this.count);
    const touched: number[] = [];
    let totalWeight = 0;
    for (const term of queryTerms) {
      const id = this.terms.get(term);
      const df = id === undefined ? 0 : this.offsets[id + 1] - this.offsets[id];
      const idf = this.idf(df);
      // A word the site never uses still counts in the total (a query of nonsense covers nothing),
      // but as little as a word every chunk has: one stray word ("how *long* does shipping take")
      // must not outweigh the words that do match.
      if (id === undefined) {
        totalWeight += this.idf(this.count);
        continue;
      }
      totalWeight += idf;
      for (let p = this.offsets[id]; p < this.offsets[id + 1]; p++) {
        const doc = this.docs[p];
        const tf = this.counts[p];
        if (weights[doc] === 0) touched.push(doc);
        scores[doc] += (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * this.lengths[doc]) / this.averageLength));
        weights[doc] += idf;
      }
    }
    const top = new TopK(k);
    for (const doc of touched) top.offer(doc, scores[doc]);
    return top.sorted().map(({ i, score }) => ({ i, score, coverage: weights[i] / totalWeight }));
  }
}

function grow<T extends Int32Array | Uint8Array | Uint16Array>(array: T, size: number): T {
  const next = new (array.constructor as new (n: number) => T)(size);
  next.set(array);
  return next;
}
