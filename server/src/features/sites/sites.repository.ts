import type { Db } from "../../db/database.js";
import type { MemberRole, SitesTable } from "../../db/schema.js";
import { type SiteRecord, type SiteRow, siteFromRow } from "./site-record.js";
import type { HandoffSettings } from "../handoff/handoff.settings.js";
import type { MediaSettings } from "../media/media.settings.js";
import type { BotSettings, SiteLimits } from "./sites.schemas.js";

/** What a write sets; only the fields named are written. */
export interface SiteChanges {
  name?: string;
  allowedOrigins?: string[];
  /** partial bot settings are stored as given: reading fills the rest from the defaults */
  bot?: Partial<BotSettings>;
  /** null: the defaults of each release */
  limits?: Partial<SiteLimits> | null;
  /** the whole settings (merged by the service) */
  handoff?: HandoffSettings;
  media?: MediaSettings;
  /** null: the server's key is used */
  apiKey?: { sealed: string; last4: string } | null;
  updatedAt: number;
}

export interface NewSite extends Required<Omit<SiteChanges, "handoff" | "media">> {
  id: string;
  ownerId: string;
  siteKey: string;
  createdAt: number;
}

function columns(changes: SiteChanges): Partial<SitesTable> {
  const row: Partial<SitesTable> = { updated_at: changes.updatedAt };
  if (changes.name !== undefined) row.name = changes.name;
  if (changes.allowedOrigins !== undefined) row.allowed_origins = JSON.stringify([...new Set(changes.allowedOrigins)]);
  if (changes.bot !== undefined) row.bot = JSON.stringify(changes.bot);
  if (changes.limits !== undefined) row.limits = changes.limits && JSON.stringify(changes.limits);
  if (changes.handoff !== undefined) row.handoff = JSON.stringify(changes.handoff);
  if (changes.media !== undefined) row.media = JSON.stringify(changes.media);
  if (changes.apiKey !== undefined) {
    row.api_key_enc = changes.apiKey?.sealed ?? null;
    row.api_key_last4 = changes.apiKey?.last4 ?? null;
  }
  return row;
}

/** Rows come out as SiteRecords: nothing above this file sees a raw row. */
const record = (row: SiteRow | undefined): SiteRecord | undefined => (row ? siteFromRow(row) : undefined);

/** Sites with their owner's state (plan, suspension, verification): the widget path gates on it. */
const selectSites = (db: Db) =>
  db
    .selectFrom("sites")
    .innerJoin("owners", "owners.id", "sites.owner_id")
    .selectAll("sites")
    .select([
      "owners.plan_id as owner_plan_id",
      "owners.suspended_at as owner_suspended_at",
      "owners.email_verified_at as owner_email_verified_at",
    ]);

export async function listSitesOfOwner(db: Db, ownerId: string): Promise<SiteRecord[]> {
  const rows = await selectSites(db).where("sites.owner_id", "=", ownerId).orderBy("sites.created_at", "asc").orderBy("sites.id").execute();
  return rows.map(siteFromRow);
}

/** The sites of other owners whose team the account is on, with its role on each. */
export async function listSitesOfMember(db: Db, accountId: string): Promise<Array<{ site: SiteRecord; role: MemberRole }>> {
  const rows = await selectSites(db)
    .innerJoin("site_members", "site_members.site_id", "sites.id")
    .select("site_members.role as member_role")
    .where("site_members.account_id", "=", accountId)
    .orderBy("site_members.created_at", "asc")
    .orderBy("sites.id")
    .execute();
  return rows.map(({ member_role, ...row }) => ({ site: siteFromRow(row), role: member_role }));
}

/** Scoped to the owner: another owner's site is simply not found. */
export async function findSiteOfOwner(db: Db, ownerId: string, siteId: string): Promise<SiteRecord | undefined> {
  return record(await selectSites(db).where("sites.id", "=", siteId).where("sites.owner_id", "=", ownerId).executeTakeFirst());
}

export async function findSiteById(db: Db, siteId: string): Promise<SiteRecord | undefined> {
  return record(await selectSites(db).where("sites.id", "=", siteId).executeTakeFirst());
}

export async function findSiteByKey(db: Db, siteKey: string): Promise<SiteRecord | undefined> {
  return record(await selectSites(db).where("sites.site_key", "=", siteKey).executeTakeFirst());
}

export async function insertSite(db: Db, site: NewSite): Promise<void> {
  const row = { id: site.id, owner_id: site.ownerId, site_key: site.siteKey, created_at: site.createdAt, ...columns(site) } as SitesTable;
  await db.insertInto("sites").values(row).execute();
}

/** The site ids and keys of an owner, for forgetting their cached records when the owner's state changes. */
export function siteKeysOfOwner(db: Db, ownerId: string): Promise<Array<{ id: string; siteKey: string }>> {
  return db.selectFrom("sites").select(["id", "site_key as siteKey"]).where("owner_id", "=", ownerId).execute();
}

export async function updateSiteOfOwner(db: Db, ownerId: string, siteId: string, changes: SiteChanges): Promise<boolean> {
  const result = await db
    .updateTable("sites")
    .set(columns(changes))
    .where("id", "=", siteId)
    .where("owner_id", "=", ownerId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Removes the site and everything kept for it, in one transaction: nothing is left half deleted. */
export async function deleteSiteOfOwner(db: Db, ownerId: string, siteId: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const result = await trx.deleteFrom("sites").where("id", "=", siteId).where("owner_id", "=", ownerId).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) return false;
    for (const table of [
      "messages",
      "conversations",
      "visitors",
      "api_calls",
      "knowledge_chunks",
      "knowledge_sources",
      "jobs",
      // its team: members lose it with the site, pending invitations can no longer be accepted
      "site_members",
      "site_invitations",
      // visitors' pictures and recordings (their files go after the commit: sites.service.ts deleteSite)
      "media",
    ] as const) {
      await trx.deleteFrom(table).where("site_id", "=", siteId).execute();
    }
    // Its webhooks (their sealed secrets) and their delivery logs.
    for (const table of ["webhook_attempts", "webhook_deliveries", "webhooks"] as const) {
      await trx.deleteFrom(table).where("site_id", "=", siteId).execute();
    }
    return true;
  });
}
