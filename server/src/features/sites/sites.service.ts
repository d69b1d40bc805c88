import { siteMediaPrefix } from "../media/media.records.js";
import type { AppDeps } from "../../deps.js";
import { iso } from "../../db/times.js";
import { AppError } from "../../errors.js";
import { newId } from "../../security/ids.js";
import type { Keyring } from "../../security/keyring.js";
import { open, seal } from "../../security/secret-box.js";
import { type SiteRole, siteAccess } from "./site-access.js";
import type { SiteRecord } from "./site-record.js";
import { forgetSite } from "./sites.cache.js";
import {
  type SiteChanges,
  deleteSiteOfOwner,
  findSiteById,
  insertSite,
  listSitesOfMember,
  listSitesOfOwner,
  updateSiteOfOwner,
} from "./sites.repository.js";
import { type BotSettings, DEFAULT_BOT, DEFAULT_LIMITS, type Site, type SiteCreate, type SitePatch } from "./sites.schemas.js";
import { type PlanCheck, defaultsWithin, planIssues } from "../plans/plan-rules.js";
import { planOf } from "../plans/plans.store.js";
import { lockOwner, ownerPlanId } from "../plans/plans.repository.js";
import type { Plan } from "../plans/plans.schemas.js";

type Deps = Pick<AppDeps, "db" | "storage" | "keyring" | "now" | "config" | "jobs" | "files">;

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

function toSite(keyring: Keyring, site: SiteRecord, role: SiteRole): Site {
  return {
    id: site.id,
    role,
    siteKey: site.siteKey,
    name: site.name,
    allowedOrigins: site.allowedOrigins,
    bot: site.bot,
    limits: site.limits,
    handoff: site.handoff,
    media: site.media,
    apiKey: { set: site.apiKey !== null, last4: site.apiKey?.last4 ?? null, usable: siteApiKey(keyring, site).usable },
    resetFields: site.resetFields,
    suspended: site.suspended || site.owner.suspended,
    createdAt: iso(site.createdAt),
    updatedAt: iso(site.updatedAt),
  };
}

const sealedKey = (keyring: Keyring, apiKey: string | null) =>
  apiKey === null ? null : { sealed: seal(keyring, apiKey), last4: apiKey.slice(-4) };

/** The account's own sites, then the sites of others whose team it is on. */
export async function listSites(deps: Deps, accountId: string): Promise<Site[]> {
  const [owned, member] = await Promise.all([listSitesOfOwner(deps.db, accountId), listSitesOfMember(deps.db, accountId)]);
  return [...owned.map((site) => toSite(deps.keyring, site, "owner")), ...member.map(({ site, role }) => toSite(deps.keyring, site, role))];
}

export async function getSite(deps: Deps, accountId: string, siteId: string): Promise<Site> {
  const { site, role } = await siteAccess(deps, accountId, siteId, "agent");
  return toSite(deps.keyring, site, role);
}

/** Refused, never clamped: the owner learns which field is above their plan and by how much. */
function checkPlan(plan: Plan, check: PlanCheck): void {
  const issues = planIssues(plan, check);
  if (issues.length) throw new AppError("above_plan_limit", undefined, { issues });
}

export async function createSite(deps: Deps, ownerId: string, input: SiteCreate): Promise<Site> {
  const now = deps.now();
  const plan = await planOf(deps, await ownerPlanId(deps.db, ownerId));
  const platformKey = !input.apiKey;
  // Defaults above the plan start at its ceiling (and are stored, as the owner would set them).
  const defaults = defaultsWithin(plan, platformKey);
  const bot = { ...DEFAULT_BOT, ...defaults.bot, ...input.bot };
  const limits = { ...defaults.limits, ...input.limits };
  checkPlan(plan, { bot, limits: { ...DEFAULT_LIMITS, ...limits }, platformKey, fields: null });
  checkAppKey(bot, platformKey);
  const id = newId("site");
  await deps.db.transaction().execute(async (trx) => {
    // The owner's row is locked while their sites are counted: two parallel creations cannot both take the last one.
    const count = await lockOwner(trx, ownerId);
    if (plan.maxSites !== null && count >= plan.maxSites) {
      throw new AppError("plan_site_limit", `Your plan (${plan.name}) allows ${plan.maxSites} sites.`);
    }
    await insertSite(trx, {
      id,
      ownerId,
      siteKey: newId("pk"),
      name: input.name,
      allowedOrigins: input.allowedOrigins,
      bot,
      // Limits the owner did not set (and the plan did not lower) follow the defaults of each release.
      limits: Object.keys(limits).length ? limits : null,
      apiKey: sealedKey(deps.keyring, input.apiKey ?? null),
      createdAt: now,
      updatedAt: now,
    });
  });
  return getSite(deps, ownerId, id);
}

/** The dotted fields whose value the patch changes (a form that sends every field checks only what moved). */
function changedFields(current: SiteRecord, patch: SitePatch): Set<string> {
  const fields = new Set<string>();
  for (const [group, values] of [
    ["bot", patch.bot],
    ["limits", patch.limits],
  ] as const) {
    const before = current[group] as Record<string, unknown>;
    for (const [key, value] of Object.entries(values ?? {})) {
      if (JSON.stringify(value) !== JSON.stringify(before[key])) fields.add(`${group}.${key}`);
    }
  }
  return fields;
}

/** Bot settings and limits are merged field by field over the current (tolerantly read) ones: saving writes repaired values. */
export async function updateSite(deps: Deps, accountId: string, siteId: string, patch: SitePatch): Promise<Site> {
  // The key is the owner's (it is billed to their Alibaba Cloud account); the rest an admin may change.
  const { site: current, role } = await siteAccess(deps, accountId, siteId, patch.apiKey === undefined ? "admin" : "owner");
  const ownerId = current.ownerId;
  const platformKey = patch.apiKey === undefined ? current.apiKey === null : patch.apiKey === null;
  checkPlan(await planOf(deps, current.owner.planId), {
    bot: { ...current.bot, ...patch.bot },
    limits: { ...current.limits, ...patch.limits },
    platformKey,
    // Moving to the platform key puts every setting under the plan's platform ceilings.
    fields: platformKey && current.apiKey !== null ? null : changedFields(current, patch),
  });
  checkAppKey({ ...current.bot, ...patch.bot }, platformKey);
  const changes: SiteChanges = {
    updatedAt: Math.max(deps.now(), current.updatedAt),
    name: patch.name,
    allowedOrigins: patch.allowedOrigins,
    bot: patch.bot && { ...current.bot, ...patch.bot },
    limits: patch.limits && { ...current.limits, ...patch.limits },
    handoff: patch.handoff && { ...current.handoff, ...patch.handoff },
    media: patch.media && { ...current.media, ...patch.media },
    apiKey: patch.apiKey === undefined ? undefined : sealedKey(deps.keyring, patch.apiKey),
  };
  if (!(await updateSiteOfOwner(deps.db, ownerId, siteId, changes))) throw new AppError("not_found", "No such site.");
  await forgetSite(deps, current);
  const updated = await findSiteById(deps.db, siteId);
  if (!updated) throw new AppError("not_found", "No such site.");
  return toSite(deps.keyring, updated, role);
}

/** A Bailian application belongs to the owner's Alibaba Cloud account: it is called with the site's own key, never the platform's. */
function checkAppKey(bot: Pick<BotSettings, "bailianAppId">, platformKey: boolean): void {
  if (bot.bailianAppId && platformKey) {
    throw new AppError("own_key_required", undefined, {
      issues: [{ path: "bot.bailianAppId", message: "Enter the site's own DashScope key first: the application is called with it." }],
    });
  }
}

export async function deleteSite(deps: Deps, ownerId: string, siteId: string): Promise<void> {
  const { site: current } = await siteAccess(deps, ownerId, siteId, "owner");
  // Its jobs stop first, so none writes chunks for a site that is gone.
  await deps.jobs.cancelForSite(siteId);
  if (!(await deleteSiteOfOwner(deps.db, ownerId, siteId))) throw new AppError("not_found", "No such site.");
  await forgetSite(deps, current);
  await deps.files.removeAll(`sites/${siteId}`);
  // Visitors' photos, recordings and read-aloud audio (their rows went with the site).
  await deps.files.removeAll(siteMediaPrefix(siteId));
}
