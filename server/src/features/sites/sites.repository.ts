import type { Db } from "../../db/database.js";
import type { SitesTable } from "../../db/schema.js";
import { type SiteRecord, siteFromRow } from "./site-record.js";

/** Rows come out as SiteRecords: nothing above this file sees a raw row. */
const record = (row: SitesTable | undefined): SiteRecord | undefined => (row ? siteFromRow(row) : undefined);

export async function listSitesOfOwner(db: Db, ownerId: string): Promise<SiteRecord[]> {
  const rows = await db
    .selectFrom("sites")
    .selectAll()
    .where("owner_id", "=", ownerId)
    .orderBy("created_at", "asc")
    .orderBy("id")
    .execute();
  return rows.map(siteFromRow);
}

/** Scoped to the owner: another owner's site is simply not found. */
export async function findSiteOfOwner(db: Db, ownerId: string, siteId: string): Promise<SiteRecord | undefined> {
  return record(await db.selectFrom("sites").selectAll().where("id", "=", siteId).where("owner_id", "=", ownerId).executeTakeFirst());
}

export async function findSiteById(db: Db, siteId: string): Promise<SiteRecord | undefined> {
  return record(await db.selectFrom("sites").selectAll().where("id", "=", siteId).executeTakeFirst());
}

export async function findSiteByKey(db: Db, siteKey: string): Promise<SiteRecord | undefined> {
  return record(await db.selectFrom("sites").selectAll().where("site_key", "=", siteKey).executeTakeFirst());
}

export async function insertSite(db: Db, row: SitesTable): Promise<SiteRecord> {
  await db.insertInto("sites").values(row).execute();
  return siteFromRow(row);
}

export async function updateSiteOfOwner(db: Db, ownerId: string, siteId: string, changes: Partial<SitesTable>): Promise<boolean> {
  const result = await db.updateTable("sites").set(changes).where("id", "=", siteId).where("owner_id", "=", ownerId).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Removes the site and everything kept for it, in one transaction: nothing is left half deleted. */
export async function deleteSiteOfOwner(db: Db, ownerId: string, siteId: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const result = await trx.deleteFrom("sites").where("id", "=", siteId).where("owner_id", "=", ownerId).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) return false;
    for (const table of ["messages", "conversations", "visitors", "api_calls"] as const) {
      await trx.deleteFrom(table).where("site_id", "=", siteId).execute();
    }
    return true;
  });
}
