import type { AppDeps } from "../../app.js";
import type { SitesTable } from "../../db/schema.js";
import { AppError } from "../../errors.js";
import { newId } from "../../security/ids.js";
import { DEFAULT_LIMITS, type SiteLimits } from "../../security/limits.js";
import { open, seal } from "../../security/secret-box.js";
import { forgetSite } from "./sites.cache.js";
import { deleteSiteOfOwner, findSiteOfOwner, insertSite, listSitesOfOwner, updateSiteOfOwner } from "./sites.repository.js";
import { BotSettings, DEFAULT_BOT, type Site, type SiteCreate, type SitePatch } from "./sites.schemas.js";

type Deps = Pick<AppDeps, "db" | "storage" | "keyring" | "now">;

/** Stored settings over the defaults, so a field added later has a value for old rows. */
export function botOf(row: Pick<SitesTable, "bot">): BotSettings {
  return BotSettings.parse({ ...DEFAULT_BOT, ...JSON.parse(row.bot) });
}

/** Stored limits over the defaults. */
export function limitsOf(row: Pick<SitesTable, "limits">): SiteLimits {
  return { ...DEFAULT_LIMITS, ...(row.limits ? (JSON.parse(row.limits) as Partial<SiteLimits>) : {}) };
}

export function allowedOriginsOf(row: Pick<SitesTable, "allowed_origins">): string[] {
  return JSON.parse(row.allowed_origins) as string[];
}

/** The site's own DashScope key, decrypted for the one call that needs it. */
export function siteApiKey(deps: Pick<AppDeps, "keyring">, row: Pick<SitesTable, "api_key_enc">): string | undefined {
  return row.api_key_enc ? open(deps.keyring, row.api_key_enc) : undefined;
}

function toSite(row: SitesTable): Site {
  return {
    id: row.id,
    siteKey: row.site_key,
    name: row.name,
    allowedOrigins: allowedOriginsOf(row),
    bot: botOf(row),
    limits: limitsOf(row),
    apiKey: { set: row.api_key_enc !== null, last4: row.api_key_last4 },
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

function apiKeyColumns(deps: Deps, apiKey: string | null): Pick<SitesTable, "api_key_enc" | "api_key_last4"> {
  return apiKey === null
    ? { api_key_enc: null, api_key_last4: null }
    : { api_key_enc: seal(deps.keyring, apiKey), api_key_last4: apiKey.slice(-4) };
}

export async function listSites(deps: Deps, ownerId: string): Promise<Site[]> {
  return (await listSitesOfOwner(deps.db, ownerId)).map(toSite);
}

export async function getSite(deps: Deps, ownerId: string, siteId: string): Promise<Site> {
  const row = await findSiteOfOwner(deps.db, ownerId, siteId);
  if (!row) throw new AppError("not_found", "No such site.");
  return toSite(row);
}

export async function createSite(deps: Deps, ownerId: string, input: SiteCreate): Promise<Site> {
  const now = deps.now();
  const row: SitesTable = {
    id: newId("site"),
    owner_id: ownerId,
    site_key: newId("pk"),
    name: input.name,
    allowed_origins: JSON.stringify([...new Set(input.allowedOrigins)]),
    bot: JSON.stringify({ ...DEFAULT_BOT, ...input.bot }),
    limits: Object.keys(input.limits).length ? JSON.stringify(input.limits) : null,
    ...apiKeyColumns(deps, input.apiKey ?? null),
    created_at: now,
    updated_at: now,
  };
  await insertSite(deps.db, row);
  return toSite(row);
}

export async function updateSite(deps: Deps, ownerId: string, siteId: string, patch: SitePatch): Promise<Site> {
  const current = await findSiteOfOwner(deps.db, ownerId, siteId);
  if (!current) throw new AppError("not_found", "No such site.");
  const changes: Partial<SitesTable> = { updated_at: Math.max(deps.now(), current.updated_at) };
  if (patch.name !== undefined) changes.name = patch.name;
  if (patch.allowedOrigins !== undefined) changes.allowed_origins = JSON.stringify([...new Set(patch.allowedOrigins)]);
  if (patch.bot !== undefined) changes.bot = JSON.stringify({ ...botOf(current), ...patch.bot });
  if (patch.limits !== undefined) changes.limits = JSON.stringify({ ...limitsOf(current), ...patch.limits });
  if (patch.apiKey !== undefined) Object.assign(changes, apiKeyColumns(deps, patch.apiKey));
  if (!(await updateSiteOfOwner(deps.db, ownerId, siteId, changes))) throw new AppError("not_found", "No such site.");
  await forgetSite(deps, current);
  return toSite({ ...current, ...changes });
}

export async function deleteSite(deps: Deps, ownerId: string, siteId: string): Promise<void> {
  const current = await findSiteOfOwner(deps.db, ownerId, siteId);
  if (!current || !(await deleteSiteOfOwner(deps.db, ownerId, siteId))) throw new AppError("not_found", "No such site.");
  await forgetSite(deps, current);
}
