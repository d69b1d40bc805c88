import { LRUCache } from "lru-cache";
import type { AppDeps } from "../../deps.js";
import { MEMORY_CACHE_MAX_ENTRIES } from "../../storage.js";
import type { SiteRecord } from "./site-record.js";
import { findSiteById, findSiteByKey, siteKeysOfOwner } from "./sites.repository.js";

/**
 * Sites for the widget's hot path (config, sessions, every message), parsed and cached for a
 * short time. Edits invalidate this instance's entries at once; other instances with the memory
 * driver see them within TTL_MS, all instances at once with the redis driver.
 */
const TTL_MS = 30_000;
/** A key no site has is remembered briefly: long enough to absorb a burst, short enough that unknown keys leave soon. */
const MISS_TTL_MS = 5_000;
/** Part of every key: a release that changes SiteRecord's shape never reads a former release's entries. */
const VERSION = "v5";

/**
 * How long this process keeps a parsed record in front of the storage: storage hands back JSON
 * (unstorage serialises, and redis is a round trip), which every message parsed again (issue 15).
 * An edit made here is seen at once (forgetSite); one made on another instance with the redis
 * driver within this time. Real time: it bounds staleness, not business rules.
 */
const PARSED_TTL_MS = 2_000;

type Entry = { site: SiteRecord | null; expires: number };
type Deps = Pick<AppDeps, "db" | "storage" | "now">;

/** Per storage (tests build many apps in one process), bounded as the memory storage is. */
const parsed = new WeakMap<Deps["storage"], LRUCache<string, Entry>>();
const parsedOf = (storage: Deps["storage"]) => {
  let cache = parsed.get(storage);
  if (!cache) parsed.set(storage, (cache = new LRUCache<string, Entry>({ max: MEMORY_CACHE_MAX_ENTRIES, ttl: PARSED_TTL_MS })));
  return cache;
};

async function cached(deps: Deps, key: string, load: () => Promise<SiteRecord | undefined>): Promise<SiteRecord | null> {
  const near = parsedOf(deps.storage);
  const kept = near.get(key);
  if (kept && kept.expires > deps.now()) return kept.site;
  const hit = await deps.storage.getItem<Entry>(key).catch(() => null);
  if (hit && hit.expires > deps.now()) {
    near.set(key, hit);
    return hit.site;
  }
  const site = (await load()) ?? null;
  const ttl = site ? TTL_MS : MISS_TTL_MS;
  const entry: Entry = { site, expires: deps.now() + ttl };
  near.set(key, entry);
  // The memory driver ignores ttl, hence `expires`; redis also gets the ttl so keys go away.
  await deps.storage.setItem(key, entry, { ttl: ttl / 1000 }).catch(() => {});
  return site;
}

export function siteByKey(deps: Deps, siteKey: string): Promise<SiteRecord | null> {
  return cached(deps, `site:${VERSION}:key:${siteKey}`, () => findSiteByKey(deps.db, siteKey));
}

export function siteById(deps: Deps, siteId: string): Promise<SiteRecord | null> {
  return cached(deps, `site:${VERSION}:id:${siteId}`, () => findSiteById(deps.db, siteId));
}

export async function forgetSite(deps: Pick<AppDeps, "storage">, site: Pick<SiteRecord, "id" | "siteKey">): Promise<void> {
  const near = parsedOf(deps.storage);
  near.delete(`site:${VERSION}:key:${site.siteKey}`);
  near.delete(`site:${VERSION}:id:${site.id}`);
  await Promise.all([
    deps.storage.removeItem(`site:${VERSION}:key:${site.siteKey}`).catch(() => {}),
    deps.storage.removeItem(`site:${VERSION}:id:${site.id}`).catch(() => {}),
  ]);
}

/** After an owner's state changed (plan, suspension, verification): their sites are read again on the next request. */
export async function forgetOwnerSites(deps: Pick<AppDeps, "db" | "storage">, ownerId: string): Promise<void> {
  await Promise.all((await siteKeysOfOwner(deps.db, ownerId)).map((site) => forgetSite(deps, site)));
}
