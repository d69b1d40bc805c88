import { sql } from "kysely";
import type { Db } from "../db/database.js";
import type { RevokedSessionsTable } from "../db/schema.js";

/** The owner's session version and the ids of their sessions signed out one by one that have not expired yet. */
export async function readSessionState(db: Db, ownerId: string, now: number): Promise<{ version: number | null; revoked: string[] }> {
  const [owner, revoked] = await Promise.all([
    db.selectFrom("owners").select("session_version").where("id", "=", ownerId).executeTakeFirst(),
    db.selectFrom("revoked_sessions").select("session_id").where("owner_id", "=", ownerId).where("expires_at", ">", now).execute(),
  ]);
  return { version: owner ? Number(owner.session_version) : null, revoked: revoked.map((r) => r.session_id) };
}

export async function addRevokedSession(db: Db, row: RevokedSessionsTable, now: number): Promise<void> {
  // A second logout with the same cookie changes nothing (INSERT OR IGNORE / INSERT IGNORE).
  await db.insertInto("revoked_sessions").values(row).orIgnore().execute();
  // Revocations of sessions that would have expired anyway are of no more use.
  await db.deleteFrom("revoked_sessions").where("expires_at", "<", now).execute();
}

export async function bumpSessionVersion(db: Db, ownerId: string): Promise<void> {
  await db
    .updateTable("owners")
    .set({ session_version: sql`session_version + 1` })
    .where("id", "=", ownerId)
    .execute();
}
