import type { Db } from "../../db/database.js";

/** Who is told when a site nears its quota: its owner, in the owner's language. */
export async function findAlertRecipient(
  db: Db,
  siteId: string,
): Promise<{ email: string; language: string | null; siteName: string } | null> {
  const row = await db
    .selectFrom("sites")
    .innerJoin("owners", "owners.id", "sites.owner_id")
    .select(["owners.email", "owners.language", "sites.name"])
    .where("sites.id", "=", siteId)
    .executeTakeFirst();
  return row ? { email: row.email, language: row.language, siteName: row.name } : null;
}
