import { randomUUID } from "node:crypto";
import { LRUCache } from "lru-cache";
import type { AppDeps } from "../../../deps.js";
import type { Db } from "../../../db/database.js";
import { readyFingerprint } from "./retrieval.repository.js";
import { type SiteIndex, buildSiteIndex } from "./site-index.js";

/**
 * The site indexes one instance keeps, least recently asked out first. About 1.3 KB a chunk
 * (bench/retrieval.ts: 60 MB for 50,000), so 256 MB holds some 200,000 chunks: several large sites on the 1 GB
 * production instance, with room left for the chats themselves. A site too large for this is
 * built, answered and not kept, and is one for a Bailian application (docs/decisions.md).
 */
export const INDEX_CACHE_MAX_BYTES = 256 * 1024 * 1024;

interface Entry {
  db: Db;
  version: string;
  index: SiteIndex;
}

const cache = new LRUCache<string, Entry>({
  maxSize: INDEX_CACHE_MAX_BYTES,
  sizeCalculation: (entry) => Math.max(1, entry.index.bytes),
});

/** Builds in progress, one per site and version: many questions at once share one build. */
const building = new Map<string, Promise<SiteIndex>>();

let builds = 0;

const versionKey = (siteId: string) => `knowledge:version:${siteId}`;

/**
 * What the site's searchable knowledge is now: the ready sources' aggregate from the database
 * (every instance sees a change at its next question) and the value bumpKnowledgeVersion writes
 * to deps.storage (shared through redis when several instances run), for a change the aggregate
 * cannot see, such as two within the same millisecond. One indexed statement and one storage read
 * a question, side by side; storage being away leaves the aggregate to decide.
 */
async function currentVersion(deps: Pick<AppDeps, "db" | "storage">, siteId: string): Promise<string> {
  const [fingerprint, bumped] = await Promise.all([
    readyFingerprint(deps.db, siteId),
    deps.storage.getItem<string>(versionKey(siteId)).catch(() => "unknown"),
  ]);
  return `${fingerprint}/${bumped ?? 0}`;
}

/** The site's index as its knowledge is now: from the cache, from a build already running, or built. */
export async function siteIndex(deps: Pick<AppDeps, "db" | "storage">, siteId: string): Promise<SiteIndex> {
  const version = await currentVersion(deps, siteId);
  const hit = cache.get(siteId);
  if (hit && hit.db === deps.db && hit.version === version) return hit.index;
  const key = `${siteId}\n${version}`;
  const running = building.get(key);
  if (running) return running;
  const db = deps.db;
  builds++;
  const build = buildSiteIndex(db, siteId)
    .then((index) => {
      // Another build may have finished with a newer version meanwhile; the last one stored wins,
      // and a stale one is replaced at the next question by the version check.
      cache.set(siteId, { db, version, index });
      return index;
    })
    .finally(() => building.delete(key));
  building.set(key, build);
  return build;
}

/** Drops this instance's index of the site: its next question rebuilds. */
export function forgetSiteIndex(siteId: string): void {
  cache.delete(siteId);
}

/**
 * For ingestion, after it changed what a site can search (a source ready, failed, deleted,
 * re-embedded): this instance forgets the index at once, and the shared value makes every other
 * instance rebuild at its next question even when the change left the sources' aggregate alike.
 */
export async function bumpKnowledgeVersion(deps: Pick<AppDeps, "storage">, siteId: string): Promise<void> {
  forgetSiteIndex(siteId);
  // A fresh value, not an increment: two bumps at once must not both write the same number.
  await deps.storage.setItem(versionKey(siteId), randomUUID());
}

/** Index builds started by this process so far: the benchmark prints it, a test checks single-flight with it. */
export function indexBuildCount(): number {
  return builds;
}

/** The bytes the cache holds now (the benchmark reads it). */
export function cachedIndexBytes(): number {
  return cache.calculatedSize;
}
