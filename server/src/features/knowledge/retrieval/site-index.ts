import type { Db } from "../../../db/database.js";
import { KeywordIndex } from "./keyword-index.js";
import { type SourceRow, readySources, sourceChunkPage } from "./retrieval.repository.js";
import { documentTerms } from "./terms.js";
import { VectorStore } from "./vector-store.js";
import { EMBEDDING_DIMENSIONS } from "../../../llm/dashscope-embedder.js";

/** Rows read per statement while building: bounds the text held at once, not the index. */
const PAGE_ROWS = 1_000;

/**
 * Everything a site's questions are searched against, built from its rows and kept in memory.
 * Chunk number i is the same in every array; the chunk's text stays in the database.
 */
export interface SiteIndex {
  chunkIds: string[];
  /** index into `sources` */
  sourceOf: Int32Array;
  tokens: Int32Array;
  sources: SourceRow[];
  vectors: VectorStore;
  keywords: KeywordIndex;
  /** an estimate of the bytes held, for the cache's bound */
  bytes: number;
}

export async function buildSiteIndex(db: Db, siteId: string): Promise<SiteIndex> {
  const sources = await readySources(db, siteId);
  const chunkIds: string[] = [];
  const sourceOf: number[] = [];
  const tokens: number[] = [];
  const vectors = new VectorStore(EMBEDDING_DIMENSIONS);
  const keywords = new KeywordIndex();
  let idChars = 0;
  for (const [n, source] of sources.entries()) {
    for (let after = -1; ;) {
      const page = await sourceChunkPage(db, siteId, source.id, after, PAGE_ROWS);
      for (const row of page) {
        chunkIds.push(row.id);
        idChars += row.id.length;
        sourceOf.push(n);
        tokens.push(row.tokens);
        vectors.add(row.embedding);
        keywords.add(documentTerms(`${row.heading}\n${row.text}`));
      }
      if (page.length < PAGE_ROWS) break;
      after = page[page.length - 1].position;
    }
  }
  vectors.trim();
  keywords.finish();
  const sourceBytes = sources.reduce((sum, s) => sum + 2 * (s.id.length + s.title.length + (s.url?.length ?? 0)) + 120, 0);
  return {
    chunkIds,
    sourceOf: Int32Array.from(sourceOf),
    tokens: Int32Array.from(tokens),
    sources,
    vectors,
    keywords,
    // an id string costs about its characters plus a 20-byte header, and 8 bytes in the array
    bytes: vectors.bytes + keywords.bytes + chunkIds.length * (8 + 8 + 28) + idChars + sourceBytes,
  };
}
