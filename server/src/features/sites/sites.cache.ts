import type { AppDeps } from "../../app.js";
import type { SitesTable } from "../../db/schema.js";
import { findSiteById, findSiteByKey } from "./sites.repository.js";

/**
 * Site rows for the widget's hot path (config, sessions, every message), cached for a short
 * time. Edits invalidate this instance's entries at once; other instances with the memory
 * driver see them within TTL_MS, all instances at once with the redis driver.
 */
const TTL_MS = 30_000;

type Entry = { row: SitesTable | null; expires: number };
type Deps = Pick<AppDeps, "db" | "storage" | "now">;

async function cached(deps: Deps, key: string, load: () => Promise<SitesTable | undefined>): Promise<SitesTable | null> {
  const hit = await deps.storage.getItem<Entry>(key).catch(() => null);
  if (hit && hit.expires > deps.now()) return hit.row;
  const row = (await load()) ?? null;
  // The memory driver ignores ttl, hence `expires`; redis also gets the ttl so keys go away.
  await deps.storage.setItem(key, { row, expires: deps.now() + TTL_MS } satisfies Entry, { ttl: TTL_MS / 1000 }).catch(() => {});
  return row;
}

export function siteByKey(deps: Deps, siteKey: string): Promise<SitesTable | null> {
  return cached(deps, `site:key:${siteKey}`, () => findSiteByKey(deps.db, siteKey));
}

export function siteById(deps: Deps, siteId: string): Promise<SitesTable | null> {
  return cached(deps, `site:id:${siteId}`, () => findSiteById(deps.db, siteId));
}

export async function forgetSite(deps: Pick<AppDeps, "storage">, site: Pick<SitesTable, "id" | "site_key">): Promise<void> {
  await Promise.all([
    deps.storage.removeItem(`site:key:${site.site_key}`).catch(() => {}),
    deps.storage.removeItem(`site:id:${site.id}`).catch(() => {}),
  ]);
}
