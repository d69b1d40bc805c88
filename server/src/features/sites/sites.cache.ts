import type { AppDeps } from "../../deps.js";
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

type Entry = { site: SiteRecord | null; expires: number };
type Deps = Pick<AppDeps, "db" | "storage" | "now">;

async function cached(deps: Deps, key: string, load: () => Promise<SiteRecord | undefined>): Promise<SiteRecord | null> {
  const hit = await deps.storage.getItem<Entry>(key).catch(() => null);
  if (hit && hit.expires > deps.now()) return hit.site;
  const site = (await load()) ?? null;
  const ttl = site ? TTL_MS : MISS_TTL_MS;
  // The memory driver ignores ttl, hence `expires`; redis also gets the ttl so keys go away.
  await deps.storage.setItem(key, { site, expires: deps.now() + ttl } satisfies Entry, { ttl: ttl / 1000 }).catch(() => {});
  return site;
}

export function siteByKey(deps: Deps, siteKey: string): Promise<SiteRecord | null> {
  return cached(deps, `site:${VERSION}:key:${siteKey}`, () => findSiteByKey(deps.db, siteKey));
}

export function siteById(deps: Deps, siteId: string): Promise<SiteRecord | null> {
  return cached(deps, `site:${VERSION}:id:${siteId}`, () => findSiteById(deps.db, siteId));
}

export async function forgetSite(deps: Pick<AppDeps, "storage">, site: Pick<SiteRecord, "id" | "siteKey">): Promise<void> {
  await Promise.all([
    deps.storage.removeItem(`site:${VERSION}:key:${site.siteKey}`).catch(() => {}),
    deps.storage.removeItem(`site:${VERSION}:id:${site.id}`).catch(() => {}),
  ]);
}

/** After an owner's state changed (plan, suspension, verification): their sites are read again on the next request. */
export async function forgetOwnerSites(deps: Pick<AppDeps, "db" | "storage">, ownerId: string): Promise<void> {
  await Promise.all((await siteKeysOfOwner(deps.db, ownerId)).map((site) => forgetSite(deps, site)));
}
