import { briefCacheBy } from "../../brief-cache.js";
import type { Db } from "../../db/database.js";
import type { KnowledgeStatus } from "../../db/schema.js";
import { newId } from "../../security/ids.js";
import { type NewChunk, type SourceRecord, sourceOf, sourceRow } from "./knowledge.records.js";

// Every query names the site: a source id alone never reaches another owner's knowledge.

export async function insertSource(db: Db, source: SourceRecord): Promise<void> {
  await db.insertInto("knowledge_sources").values(sourceRow(source)).execute();
}

export async function listSources(db: Db, siteId: string): Promise<SourceRecord[]> {
  const rows = await db.selectFrom("knowledge_sources").selectAll().where("site_id", "=", siteId).orderBy("created_at", "desc").execute();
  return rows.map(sourceOf);
}

export async function findSource(db: Db, siteId: string, sourceId: string): Promise<SourceRecord | undefined> {
  const row = await db
    .selectFrom("knowledge_sources")
    .selectAll()
    .where("site_id", "=", siteId)
    .where("id", "=", sourceId)
    .executeTakeFirst();
  return row && sourceOf(row);
}

/** Per source still being processed: its passages so far and how many are embedded (the Knowledge page's progress). */
export async function chunkProgress(
  db: Db,
  siteId: string,
  sourceIds: string[],
): Promise<Map<string, { chunks: number; embedded: number }>> {
  if (!sourceIds.length) return new Map();
  const rows = await db
    .selectFrom("knowledge_chunks")
    .select((eb) => ["source_id", eb.fn.countAll<number>().as("chunks"), eb.fn.count<number>("embedding").as("embedded")])
    .where("site_id", "=", siteId)
    .where("source_id", "in", sourceIds)
    .groupBy("source_id")
    .execute();
  return new Map(rows.map((r) => [r.source_id, { chunks: Number(r.chunks), embedded: Number(r.embedded) }]));
}

/**
 * Whether the site has anything to search: without it, a question costs no embedding call. Asked
 * by every question, so kept a few seconds per site (issue 15: one round trip a chat less); a
 * source's state changed on this instance is seen at once, on another within the brief cache's TTL.
 */
export function hasReadySource(db: Db, siteId: string): Promise<boolean> {
  return readiness(db, siteId).get();
}

const readiness = briefCacheBy(async (db: Db, siteId: string) => {
  const row = await db
    .selectFrom("knowledge_sources")
    .select("id")
    .where("site_id", "=", siteId)
    .where("status", "=", "ready")
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
});

/** What a site holds, against its plan's bounds. */
export async function siteTotals(db: Db, siteId: string): Promise<{ sources: number; bytes: number; chunks: number }> {
  const row = await db
    .selectFrom("knowledge_sources")
    .select((eb) => [
      eb.fn.countAll<number>().as("sources"),
      eb.fn.sum<number>("bytes").as("bytes"),
      eb.fn.sum<number>("chunks").as("chunks"),
    ])
    .where("site_id", "=", siteId)
    .executeTakeFirstOrThrow();
  return { sources: Number(row.sources), bytes: Number(row.bytes ?? 0), chunks: Number(row.chunks ?? 0) };
}

export async function setSourceState(
  db: Db,
  siteId: string,
  sourceId: string,
  state: { status: KnowledgeStatus; error?: { code: string; message: string } | null; chunks?: number; bytes?: number; title?: string },
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable("knowledge_sources")
    .set({
      status: state.status,
      updated_at: now,
      ...(state.error !== undefined
        ? { error_code: state.error?.code ?? null, error_message: state.error?.message.slice(0, 500) ?? null }
        : {}),
      ...(state.chunks !== undefined ? { chunks: state.chunks } : {}),
      ...(state.bytes !== undefined ? { bytes: state.bytes } : {}),
      ...(state.title !== undefined ? { title: state.title.slice(0, 300) } : {}),
    })
    .where("site_id", "=", siteId)
    .where("id", "=", sourceId)
    .executeTakeFirst();
  // After the write: a read begun meanwhile must not keep the old answer.
  readiness(db, siteId).forget();
  return Number(result.numUpdatedRows) > 0;
}

/** Removes a source and its chunks together. */
export async function deleteSource(db: Db, siteId: string, sourceId: string): Promise<boolean> {
  const deleted = await db.transaction().execute(async (trx) => {
    const result = await trx.deleteFrom("knowledge_sources").where("site_id", "=", siteId).where("id", "=", sourceId).executeTakeFirst();
    await trx.deleteFrom("knowledge_chunks").where("site_id", "=", siteId).where("source_id", "=", sourceId).execute();
    return Number(result.numDeletedRows) > 0;
  });
  readiness(db, siteId).forget();
  return deleted;
}

export async function deleteChunks(db: Db, siteId: string, sourceId: string): Promise<void> {
  await db.deleteFrom("knowledge_chunks").where("site_id", "=", siteId).where("source_id", "=", sourceId).execute();
}

/** Chunks at and after a position go: a step that runs again replaces what it wrote the first time. */
export async function deleteChunksFrom(db: Db, siteId: string, sourceId: string, position: number): Promise<void> {
  await db
    .deleteFrom("knowledge_chunks")
    .where("site_id", "=", siteId)
    .where("source_id", "=", sourceId)
    .where("position", ">=", position)
    .execute();
}

/** The site's chunks, but for one source's from a position on (those a step is about to replace). */
export async function siteChunksBesides(db: Db, siteId: string, sourceId: string, from: number): Promise<number> {
  const row = await db
    .selectFrom("knowledge_chunks")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("site_id", "=", siteId)
    .where((eb) => eb.or([eb("source_id", "!=", sourceId), eb("position", "<", from)]))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Appends chunks (not yet embedded) to a source. */
export async function insertChunks(db: Db, siteId: string, sourceId: string, chunks: NewChunk[], now: number): Promise<void> {
  // Batches keep each statement's parameters well under both dialects' limits.
  for (let i = 0; i < chunks.length; i += 100) {
    await db
      .insertInto("knowledge_chunks")
      .values(
        chunks.slice(i, i + 100).map((c) => ({
          id: newId("chk"),
          site_id: siteId,
          source_id: sourceId,
          position: c.position,
          heading: c.heading.slice(0, 300),
          text: c.text,
          tokens: c.tokens,
          embedding: null,
          created_at: now,
        })),
      )
      .execute();
  }
}

export async function chunksToEmbed(
  db: Db,
  siteId: string,
  sourceId: string,
  limit: number,
): Promise<Array<{ id: string; heading: string; text: string }>> {
  return db
    .selectFrom("knowledge_chunks")
    .select(["id", "heading", "text"])
    .where("site_id", "=", siteId)
    .where("source_id", "=", sourceId)
    .where("embedding", "is", null)
    .orderBy("position")
    .limit(limit)
    .execute();
}

export async function saveEmbeddings(db: Db, siteId: string, vectors: Array<{ id: string; vector: Float32Array }>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const { id, vector } of vectors) {
      const bytes = new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength);
      await trx
        .updateTable("knowledge_chunks")
        .set({ embedding: Buffer.from(bytes) })
        .where("site_id", "=", siteId)
        .where("id", "=", id)
        .execute();
    }
  });
}

export async function countChunks(db: Db, siteId: string, sourceId: string): Promise<number> {
  const row = await db
    .selectFrom("knowledge_chunks")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("site_id", "=", siteId)
    .where("source_id", "=", sourceId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
