import type { AppDeps } from "../../deps.js";
import { iso } from "../../db/times.js";
import { AppError } from "../../errors.js";
import { newId } from "../../security/ids.js";
import type { Keyring } from "../../security/keyring.js";
import { open, seal } from "../../security/secret-box.js";
import type { SiteRecord } from "./site-record.js";
import { forgetSite } from "./sites.cache.js";
import {
  type SiteChanges,
  deleteSiteOfOwner,
  findSiteOfOwner,
  insertSite,
  listSitesOfOwner,
  updateSiteOfOwner,
} from "./sites.repository.js";
import { DEFAULT_BOT, type Site, type SiteCreate, type SitePatch } from "./sites.schemas.js";

type Deps = Pick<AppDeps, "db" | "storage" | "keyring" | "now">;

/**
 * The key a site's answers are made with: its own, decrypted for the one call that needs it, or
 * the server's (`key` undefined). Not usable when its own key no longer decrypts (APP_SECRET
 * changed without APP_SECRET_PREVIOUS): the owner has to enter it again.
 */
export function siteApiKey(keyring: Keyring, site: Pick<SiteRecord, "apiKey">): { usable: true; key?: string } | { usable: false } {
  if (!site.apiKey) return { usable: true };
  try {
    return { usable: true, key: open(keyring, site.apiKey.sealed) };
  } catch {
    return { usable: false };
  }
}

function toSite(keyring: Keyring, site: SiteRecord): Site {
  return {
    id: site.id,
    siteKey: site.siteKey,
    name: site.name,
    allowedOrigins: site.allowedOrigins,
    bot: site.bot,
    limits: site.limits,
    apiKey: { set: site.apiKey !== null, last4: site.apiKey?.last4 ?? null, usable: siteApiKey(keyring, site).usable },
    resetFields: site.resetFields,
    createdAt: iso(site.createdAt),
    updatedAt: iso(site.updatedAt),
  };
}

const sealedKey = (keyring: Keyring, apiKey: string | null) =>
  apiKey === null ? null : { sealed: seal(keyring, apiKey), last4: apiKey.slice(-4) };

export async function listSites(deps: Deps, ownerId: string): Promise<Site[]> {
  return (await listSitesOfOwner(deps.db, ownerId)).map((site) => toSite(deps.keyring, site));
}

export async function getSite(deps: Deps, ownerId: string, siteId: string): Promise<Site> {
  const site = await findSiteOfOwner(deps.db, ownerId, siteId);
  if (!site) throw new AppError("not_found", "No such site.");
  return toSite(deps.keyring, site);
}

export async function createSite(deps: Deps, ownerId: string, input: SiteCreate): Promise<Site> {
  const now = deps.now();
  const site = await insertSite(deps.db, {
    id: newId("site"),
    ownerId,
    siteKey: newId("pk"),
    name: input.name,
    allowedOrigins: input.allowedOrigins,
    bot: { ...DEFAULT_BOT, ...input.bot },
    // Limits the owner did not set follow the defaults of each release.
    limits: Object.keys(input.limits).length ? input.limits : null,
    apiKey: sealedKey(deps.keyring, input.apiKey ?? null),
    createdAt: now,
    updatedAt: now,
  });
  return toSite(deps.keyring, site);
}

/** Bot settings and limits are merged field by field over the current (tolerantly read) ones: saving writes repaired values. */
export async function updateSite(deps: Deps, ownerId: string, siteId: string, patch: SitePatch): Promise<Site> {
  const current = await findSiteOfOwner(deps.db, ownerId, siteId);
  if (!current) throw new AppError("not_found", "No such site.");
  const changes: SiteChanges = {
    updatedAt: Math.max(deps.now(), current.updatedAt),
    name: patch.name,
    allowedOrigins: patch.allowedOrigins,
    bot: patch.bot && { ...current.bot, ...patch.bot },
    limits: patch.limits && { ...current.limits, ...patch.limits },
    apiKey: patch.apiKey === undefined ? undefined : sealedKey(deps.keyring, patch.apiKey),
  };
  if (!(await updateSiteOfOwner(deps.db, ownerId, siteId, changes))) throw new AppError("not_found", "No such site.");
  await forgetSite(deps, current);
  const updated = await findSiteOfOwner(deps.db, ownerId, siteId);
  if (!updated) throw new AppError("not_found", "No such site.");
  return toSite(deps.keyring, updated);
}

export async function deleteSite(deps: Deps, ownerId: string, siteId: string): Promise<void> {
  const current = await findSiteOfOwner(deps.db, ownerId, siteId);
  if (!current || !(await deleteSiteOfOwner(deps.db, ownerId, siteId))) throw new AppError("not_found", "No such site.");
  await forgetSite(deps, current);
}
