import type { Db } from "../../db/database.js";
import { isMysql } from "../../db/dialect.js";

export async function ownerPlanId(db: Db, ownerId: string): Promise<string | null> {
  const row = await db.selectFrom("owners").select("plan_id").where("id", "=", ownerId).executeTakeFirst();
  return row?.plan_id ?? null;
}

/**
 * Inside a transaction: locks the owner's row (MySQL: FOR UPDATE; SQLite: a write transaction is
 * already alone) and answers how many sites they have, so a count checked here still holds at insert.
 */
export async function lockOwner(trx: Db, ownerId: string): Promise<number> {
  const owner = trx.selectFrom("owners").select("id").where("id", "=", ownerId);
  await (isMysql(trx) ? owner.forUpdate() : owner).execute();
  const row = await trx
    .selectFrom("sites")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("owner_id", "=", ownerId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function setOwnerPlan(db: Db, ownerId: string, planId: string | null): Promise<boolean> {
  const result = await db.updateTable("owners").set({ plan_id: planId }).where("id", "=", ownerId).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
