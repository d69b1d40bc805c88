import type { AppDeps } from "../../deps.js";
import type { SiteRole } from "../../db/schema.js";
import { AppError } from "../../errors.js";
import type { SiteRecord } from "./site-record.js";
import { findSiteById } from "./sites.repository.js";

export type { SiteRole } from "../../db/schema.js";

/**
 * What each role may do on a site, from least to most: an agent reads conversations, replies and
 * changes a conversation's status; an admin also changes settings, knowledge and webhooks; only
 * the owner sets the key, deletes the site, manages the team or the plan.
 */
const RANK: Record<SiteRole, number> = { agent: 1, admin: 2, owner: 3 };

export interface SiteAccess {
  site: SiteRecord;
  /** the account's role on the site */
  role: SiteRole;
}

/**
 * The site, when the signed-in account may act on it with at least `need`. Read from the
 * database on every request (no cache): a removed member loses access at once. A site the account
 * has no part in is not found (as another owner's site always was); a member whose role is too
 * low is told so (403 forbidden).
 */
export async function siteAccess(deps: Pick<AppDeps, "db">, accountId: string, siteId: string, need: SiteRole): Promise<SiteAccess> {
  const site = await findSiteById(deps.db, siteId);
  if (!site) throw new AppError("not_found", "No such site.");
  const role = site.ownerId === accountId ? "owner" : await memberRole(deps, siteId, accountId);
  if (!role) throw new AppError("not_found", "No such site.");
  if (RANK[role] < RANK[need]) throw new AppError("forbidden", forbiddenMessage(need));
  return { site, role };
}

async function memberRole(deps: Pick<AppDeps, "db">, siteId: string, accountId: string): Promise<SiteRole | null> {
  const row = await deps.db
    .selectFrom("site_members")
    .select("role")
    .where("site_id", "=", siteId)
    .where("account_id", "=", accountId)
    .executeTakeFirst();
  return row?.role ?? null;
}

function forbiddenMessage(need: SiteRole): string {
  return need === "owner" ? "Only the site's owner can do this." : "Only the site's owner or an admin can do this.";
}
