// Knowledge rows written straight into the tables, as ingestion would leave them: for the
// retrieval tests, the retrieval benchmark and the eval (ingestion itself lives elsewhere).
import type { Db } from "../../src/db/database.js";
import type { KnowledgeStatus } from "../../src/db/schema.js";
import { newId } from "../../src/security/ids.js";
import { embeddingBlob, hashEmbedding } from "./hash-embedding.js";

export interface ChunkSeed {
  heading?: string;
  text: string;
  /** default: estimated from the text */
  tokens?: number;
  /** default: hashEmbedding(heading + text); null: not embedded yet */
  vector?: Float32Array | null;
}

export interface SourceSeed {
  siteId: string;
  title: string;
  url?: string | null;
  status?: KnowledgeStatus;
  chunks: ChunkSeed[];
  updatedAt?: number;
}

/** A rough token count: a CJK character is about one token, an English word about 1.3. */
export function roughTokens(text: string): number {
  const cjk = text.match(/[\p{Script=Han}]/gu)?.length ?? 0;
  const words = text.match(/[A-Za-z0-9]+/g)?.length ?? 0;
  return Math.max(1, Math.ceil(cjk + words * 1.3));
}

/** Inserts one source and its chunks (in batches); returns the ids. */
export async function insertSource(db: Db, seed: SourceSeed): Promise<{ sourceId: string; chunkIds: string[] }> {
  const sourceId = newId("ksrc");
  const at = seed.updatedAt ?? Date.now();
  await db
    .insertInto("knowledge_sources")
    .values({
      id: sourceId,
      site_id: seed.siteId,
      kind: "text",
      title: seed.title,
      url: seed.url ?? null,
      status: seed.status ?? "ready",
      chunks: seed.chunks.length,
      bytes: seed.chunks.reduce((n, c) => n + c.text.length, 0),
      created_at: at,
      updated_at: at,
    })
    .execute();
  const rows = seed.chunks.map((c, position) => {
    const heading = c.heading ?? "";
    const vector = c.vector === undefined ? hashEmbedding(`${heading}\n${c.text}`) : c.vector;
    return {
      id: newId("kchk"),
      site_id: seed.siteId,
      source_id: sourceId,
      position,
      heading,
      text: c.text,
      tokens: c.tokens ?? roughTokens(c.text),
      embedding: vector && embeddingBlob(vector),
      created_at: at,
    };
  });
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto("knowledge_chunks")
      .values(rows.slice(i, i + 500))
      .execute();
  return { sourceId, chunkIds: rows.map((r) => r.id) };
}
