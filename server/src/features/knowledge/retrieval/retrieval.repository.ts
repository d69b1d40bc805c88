import type { Db } from "../../../db/database.js";

/** Only chunks of ready sources are searchable; every statement here is scoped to one site. */

export interface SourceRow {
  id: string;
  title: string;
  url: string | null;
}

export interface IndexedChunkRow {
  id: string;
  source_id: string;
  heading: string;
  text: string;
  tokens: number;
  embedding: Uint8Array | null;
  position: number;
}

export interface ChosenChunkRow {
  id: string;
  source_id: string;
  heading: string;
  text: string;
  tokens: number;
}

/**
 * What a site's searchable knowledge is, in one indexed aggregate over its ready sources: a source
 * becoming ready, failing, being re-ingested (it leaves `ready` meanwhile) or deleted changes the
 * count, the chunk total or the latest updated_at.
 */
export async function readyFingerprint(db: Db, siteId: string): Promise<string> {
  const row = await db
    .selectFrom("knowledge_sources")
    .select((eb) => [
      eb.fn.countAll<number | string>().as("sources"),
      eb.fn.sum<number | string | null>("chunks").as("chunks"),
      eb.fn.max<number | string | null>("updated_at").as("updated"),
    ])
    .where("site_id", "=", siteId)
    .where("status", "=", "ready")
    .executeTakeFirstOrThrow();
  // MySQL answers SUM as a decimal string, SQLite as a number: one spelling for both.
  return `${Number(row.sources)}:${Number(row.chunks ?? 0)}:${Number(row.updated ?? 0)}`;
}

export async function readySources(db: Db, siteId: string): Promise<SourceRow[]> {
  return db
    .selectFrom("knowledge_sources")
    .select(["id", "title", "url"])
    .where("site_id", "=", siteId)
    .where("status", "=", "ready")
    .execute();
}

/**
 * One page of a ready source's chunks in order, after `afterPosition`: a build reads a bounded page
 * at a time. Walks the (source_id, position) index; paging the whole site by chunk id made SQLite
 * sort every remaining row of the site for each page (50,000 chunks: most of a 35-second build).
 * The source's status was read with the list; one that changes meanwhile changes the fingerprint.
 */
export async function sourceChunkPage(
  db: Db,
  siteId: string,
  sourceId: string,
  afterPosition: number,
  limit: number,
): Promise<IndexedChunkRow[]> {
  return db
    .selectFrom("knowledge_chunks")
    .select(["id", "source_id", "heading", "text", "tokens", "embedding", "position"])
    .where("source_id", "=", sourceId)
    .where("position", ">", afterPosition)
    .where((eb) => eb(eb.fn.coalesce("site_id", eb.val("")), "=", siteId))
    .orderBy("position")
    .limit(limit)
    .execute();
}

/**
 * The chosen chunks' text, read at answer time rather than kept in the index (it is most of a
 * chunk's bytes). Still ready and still this site's: a source deleted since the index was built
 * drops out here. The site columns are compared through coalesce() (they are NOT NULL: the same
 * test) so that no planner reads them as an index to walk: with five ids or more, SQLite chose the
 * site's index over the primary key and read all of its chunks, 40 ms at 10,000.
 */
export async function chosenChunks(db: Db, siteId: string, ids: string[]): Promise<ChosenChunkRow[]> {
  if (!ids.length) return [];
  return db
    .selectFrom("knowledge_chunks as c")
    .innerJoin("knowledge_sources as s", "s.id", "c.source_id")
    .select(["c.id", "c.source_id", "c.heading", "c.text", "c.tokens"])
    .where("c.id", "in", ids)
    .where((eb) => eb(eb.fn.coalesce("c.site_id", eb.val("")), "=", siteId))
    .where((eb) => eb(eb.fn.coalesce("s.site_id", eb.val("")), "=", siteId))
    .where("s.status", "=", "ready")
    .execute();
}
