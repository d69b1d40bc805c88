import type { Db } from "../../db/database.js";
import type { OwnerTokenPurpose, OwnerTokensTable } from "../../db/schema.js";

export async function insertOwnerToken(db: Db, row: OwnerTokensTable): Promise<void> {
  await db.insertInto("owner_tokens").values(row).execute();
}

/**
 * Marks the token used, once: of two requests racing with one link, only one updates the row.
 * Answers its owner's id, or null (unknown, another purpose, expired or already used).
 */
export async function useOwnerTokenRow(db: Db, tokenHash: string, purpose: OwnerTokenPurpose, now: number): Promise<string | null> {
  const row = await db
    .selectFrom("owner_tokens")
    .select("owner_id")
    .where("token_hash", "=", tokenHash)
    .where("purpose", "=", purpose)
    .executeTakeFirst();
  if (!row) return null;
  const result = await db
    .updateTable("owner_tokens")
    .set({ used_at: now })
    .where("token_hash", "=", tokenHash)
    .where("used_at", "is", null)
    .where("expires_at", ">", now)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n ? row.owner_id : null;
}

/** The owner of a token that still works (known, this purpose, unexpired, unused), without using it up. */
export async function findLiveOwnerToken(db: Db, tokenHash: string, purpose: OwnerTokenPurpose, now: number): Promise<string | null> {
  const row = await db
    .selectFrom("owner_tokens")
    .select("owner_id")
    .where("token_hash", "=", tokenHash)
    .where("purpose", "=", purpose)
    .where("used_at", "is", null)
    .where("expires_at", ">", now)
    .executeTakeFirst();
  return row?.owner_id ?? null;
}

/** Links that can no longer be used are of no more use (swept when a new one is made). */
export async function deleteStaleOwnerTokens(db: Db, now: number): Promise<void> {
  await db.deleteFrom("owner_tokens").where("expires_at", "<", now).execute();
}

export async function markEmailVerified(db: Db, ownerId: string, now: number): Promise<void> {
  await db.updateTable("owners").set({ email_verified_at: now }).where("id", "=", ownerId).where("email_verified_at", "is", null).execute();
}

export async function setPasswordHash(db: Db, ownerId: string, passwordHash: string): Promise<void> {
  await db.updateTable("owners").set({ password_hash: passwordHash }).where("id", "=", ownerId).execute();
}

export async function setOwnerDisplayName(db: Db, ownerId: string, displayName: string): Promise<void> {
  await db.updateTable("owners").set({ display_name: displayName }).where("id", "=", ownerId).execute();
}

export async function setOwnerLanguage(db: Db, ownerId: string, language: string | null): Promise<void> {
  await db.updateTable("owners").set({ language }).where("id", "=", ownerId).execute();
}
