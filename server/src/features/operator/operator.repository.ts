import type { Db } from "../../db/database.js";

/** Every owner with their number of sites, oldest first. */
export function listOwnersWithSites(db: Db) {
  return db
    .selectFrom("owners")
    .leftJoin("sites", "sites.owner_id", "owners.id")
    .select((eb) => [
      "owners.id",
      "owners.email",
      "owners.plan_id",
      "owners.email_verified_at",
      "owners.suspended_at",
      "owners.created_at",
      eb.fn.count<number>("sites.id").as("sites"),
    ])
    .groupBy(["owners.id", "owners.email", "owners.plan_id", "owners.email_verified_at", "owners.suspended_at", "owners.created_at"])
    .orderBy("owners.created_at")
    .orderBy("owners.id")
    .execute();
}

/** Every site with its owner's email, oldest first (no secrets: only whether it has its own key). */
export function listAllSites(db: Db) {
  return db
    .selectFrom("sites")
    .innerJoin("owners", "owners.id", "sites.owner_id")
    .select([
      "sites.id",
      "sites.name",
      "sites.owner_id",
      "owners.email as owner_email",
      "owners.suspended_at as owner_suspended_at",
      "sites.suspended_at",
      "sites.created_at",
      (eb) => eb("sites.api_key_enc", "is not", null).as("own_key"),
    ])
    .orderBy("sites.created_at")
    .orderBy("sites.id")
    .execute();
}

/** Tokens per site and model since `fromMs`, from the upstream calls (for the cost estimate). */
export function callTokensSince(db: Db, fromMs: number) {
  return db
    .selectFrom("api_calls")
    .select((eb) => [
      "site_id",
      "model",
      eb.fn.coalesce(eb.fn.sum<number>("prompt_tokens"), eb.lit(0)).as("prompt"),
      eb.fn.coalesce(eb.fn.sum<number>("completion_tokens"), eb.lit(0)).as("completion"),
    ])
    .where("created_at", ">=", fromMs)
    .groupBy(["site_id", "model"])
    .execute();
}

export async function setOwnerSuspended(db: Db, ownerId: string, at: number | null): Promise<boolean> {
  const result = await db.updateTable("owners").set({ suspended_at: at }).where("id", "=", ownerId).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function setSiteSuspended(db: Db, siteId: string, at: number | null): Promise<{ id: string; siteKey: string } | undefined> {
  const site = await db.selectFrom("sites").select(["id", "site_key as siteKey"]).where("id", "=", siteId).executeTakeFirst();
  if (!site) return undefined;
  await db.updateTable("sites").set({ suspended_at: at }).where("id", "=", siteId).execute();
  return site;
}

/** What the operator's checks and the owner's plan page read of an owner. */
export function ownerState(db: Db, ownerId: string) {
  return db
    .selectFrom("owners")
    .select(["email", "email_verified_at", "suspended_at", "plan_id"])
    .where("id", "=", ownerId)
    .executeTakeFirst();
}
