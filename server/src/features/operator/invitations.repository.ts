import type { Db } from "../../db/database.js";
import type { InvitationsTable } from "../../db/schema.js";

export async function insertInvitation(db: Db, row: InvitationsTable): Promise<void> {
  await db.insertInto("invitations").values(row).execute();
}

export function listInvitationRows(db: Db, limit: number) {
  return db.selectFrom("invitations").selectAll().orderBy("created_at", "desc").orderBy("id").limit(limit).execute();
}

/**
 * Takes the invitation of this token if it is still open: one UPDATE, so two sign-ups racing with
 * one link cannot both have it. Answers the invitation's row, or undefined.
 */
export async function takeInvitation(db: Db, tokenHash: string, now: number): Promise<InvitationsTable | undefined> {
  const result = await db
    .updateTable("invitations")
    .set({ used_at: now })
    .where("token_hash", "=", tokenHash)
    .where("used_at", "is", null)
    .where("expires_at", ">", now)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return undefined;
  return db.selectFrom("invitations").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();
}

export async function markInvitationUsedBy(db: Db, id: string, ownerId: string): Promise<void> {
  await db.updateTable("invitations").set({ used_by: ownerId }).where("id", "=", id).execute();
}

/** The sign-up failed after the invitation was taken (the email was taken meanwhile): it is open again. */
export async function releaseInvitation(db: Db, id: string): Promise<void> {
  await db.updateTable("invitations").set({ used_at: null }).where("id", "=", id).where("used_by", "is", null).execute();
}
