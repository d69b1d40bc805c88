import type { Db } from "../../db/database.js";
import type { SitesTable } from "../../db/schema.js";

export function listSitesOfOwner(db: Db, ownerId: string) {
  return db.selectFrom("sites").selectAll().where("owner_id", "=", ownerId).orderBy("created_at", "asc").orderBy("id").execute();
}

/** Scoped to the owner: another owner's site is simply not found. */
export function findSiteOfOwner(db: Db, ownerId: string, siteId: string) {
  return db.selectFrom("sites").selectAll().where("id", "=", siteId).where("owner_id", "=", ownerId).executeTakeFirst();
}

export function findSiteById(db: Db, siteId: string) {
  return db.selectFrom("sites").selectAll().where("id", "=", siteId).executeTakeFirst();
}

export function findSiteByKey(db: Db, siteKey: string) {
  return db.selectFrom("sites").selectAll().where("site_key", "=", siteKey).executeTakeFirst();
}

export async function insertSite(db: Db, row: SitesTable): Promise<void> {
  await db.insertInto("sites").values(row).execute();
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
