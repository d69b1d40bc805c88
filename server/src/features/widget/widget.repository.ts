import type { Db } from "../../db/database.js";
import type { VisitorsTable } from "../../db/schema.js";

export async function insertVisitor(db: Db, row: VisitorsTable): Promise<void> {
  await db.insertInto("visitors").values(row).execute();
}

export async function touchVisitor(db: Db, siteId: string, visitorId: string, at: number): Promise<boolean> {
  const result = await db
    .updateTable("visitors")
    .set({ last_seen_at: at })
    .where("id", "=", visitorId)
    .where("site_id", "=", siteId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
