import type { AppDeps } from "../../../deps.js";
import { siteIndex } from "./index-cache.js";
import { chosenChunks } from "./retrieval.repository.js";
import { queryTerms } from "./terms.js";

export { bumpKnowledgeVersion, forgetSiteIndex } from "./index-cache.js";

export interface RetrievedChunk {
  chunkId: string;
  sourceId: string;
  /** the source's title and address, for the citation */
  title: string;
  url: string | null;
  heading: string;
  text: string;
  tokens: number;
  /** reciprocal rank fusion of the vector and keyword rankings; only the order means something */
  score: number;
  /** whether this chunk plausibly answers the question at all (bot mode "only" needs a no) */
  relevant: boolean;
}

export interface SearchOptions {
  /** at most this many chunks (default 6) */
  limit?: number;
  /** their `tokens` sum to at most this (default 1,500) */
  tokenBudget?: number;
}

export const DEFAULT_LIMIT = 6;
export const DEFAULT_TOKEN_BUDGET = 1_500;
const MAX_LIMIT = 50;

/** Each ranking contributes 1 / (RRF_K + rank): the usual 60, which keeps a first place in one list from outweighing agreement of both. */
const RRF_K = 60;
/** How deep each ranking is read before fusion. */
const CANDIDATES = 50;

/**
 * The relevance verdict. A chunk is relevant when its cosine to the question reaches
 * VECTOR_FLOOR, or when it contains at least half of the question's keyword weight (IDF, words the
 * site never uses counting too). text-embedding-v4 puts unrelated shop text at about 0.1–0.35 and
 * a chunk answering the question above 0.5; 0.45 leans towards answering. Recalibrate with `npm
 * run eval` when the model or its dimensions change.
 */
export const VECTOR_FLOOR = 0.45;
export const KEYWORD_COVERAGE_FLOOR = 0.5;

/**
 * A site's knowledge chunks for a question, best first: the question's vector against every
 * chunk's (brute force over the site's index) and its keywords by BM25, fused by reciprocal rank;
 * chunks judged relevant come before the rest. At most `limit`, and within `tokenBudget` (a chunk
 * that would pass it is skipped and smaller ones after it may still fit). Only the site's own
 * chunks of ready sources.
 */
export async function searchKnowledge(
  deps: Pick<AppDeps, "db" | "storage" | "now">,
  siteId: string,
  query: { text: string; vector: Float32Array },
  options: SearchOptions = {},
): Promise<RetrievedChunk[]> {
  const limit = Math.max(0, Math.min(MAX_LIMIT, Math.floor(options.limit ?? DEFAULT_LIMIT)));
  const budget = options.tokenBudget ?? DEFAULT_TOKEN_BUDGET;
  const index = await siteIndex(deps, siteId);
  if (!index.chunkIds.length || limit === 0) return [];

  const depth = Math.max(CANDIDATES, limit * 4);
  const fused = new Map<number, { score: number; coverage: number }>();
  index.vectors.nearest(query.vector, depth).forEach(({ i }, rank) => {
    fused.set(i, { score: 1 / (RRF_K + rank + 1), coverage: 0 });
  });
  index.keywords.search(queryTerms(query.text), depth).forEach(({ i, coverage }, rank) => {
    const hit = fused.get(i) ?? { score: 0, coverage: 0 };
    hit.score += 1 / (RRF_K + rank + 1);
    hit.coverage = coverage;
    fused.set(i, hit);
  });

  const ranked = [...fused].map(([i, { score, coverage }]) => {
    const similarity = index.vectors.similarity(i, query.vector) ?? -1;
    return { i, score, relevant: similarity >= VECTOR_FLOOR || coverage >= KEYWORD_COVERAGE_FLOOR };
  });
  ranked.sort((a, b) => Number(b.relevant) - Number(a.relevant) || b.score - a.score || a.i - b.i);

  const chosen: typeof ranked = [];
  let spent = 0;
  for (const hit of ranked) {
    if (chosen.length === limit) break;
    const tokens = index.tokens[hit.i];
    if (spent + tokens > budget) continue;
    spent += tokens;
    chosen.push(hit);
  }

  const rows = new Map(
    (
      await chosenChunks(
        deps.db,
        siteId,
        chosen.map((h) => index.chunkIds[h.i]),
      )
    ).map((r) => [r.id, r]),
  );
  const out: RetrievedChunk[] = [];
  for (const hit of chosen) {
    const row = rows.get(index.chunkIds[hit.i]);
    // gone since the index was built (its source deleted or no longer ready)
    if (!row) continue;
    const source = index.sources[index.sourceOf[hit.i]];
    out.push({
      chunkId: row.id,
      sourceId: row.source_id,
      title: source.title,
      url: source.url,
      heading: row.heading,
      text: row.text,
      tokens: row.tokens,
      score: hit.score,
      relevant: hit.relevant,
    });
  }
  return out;
}
