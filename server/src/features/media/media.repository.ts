import type { Db } from "../../db/database.js";
import type { MediaTable } from "../../db/schema.js";
import { type MediaRecord, mediaOf, mediaRow } from "./media.records.js";

/** All SQL on `media`. Every read a visitor can reach is scoped to the site, visitor and conversation. */

export async function insertMedia(db: Db, media: MediaRecord): Promise<void> {
  await db.insertInto("media").values(mediaRow(media)).execute();
}

/** The visitor's own media of one conversation, or undefined: another visitor's or conversation's id reads as missing. */
export async function findVisitorMedia(
  db: Db,
  scope: { siteId: string; visitorId: string; conversationId: string },
  mediaId: string,
): Promise<MediaRecord | undefined> {
  const row = await db
    .selectFrom("media")
    .selectAll()
    .where("id", "=", mediaId)
    .where("site_id", "=", scope.siteId)
    .where("visitor_id", "=", scope.visitorId)
    .where("conversation_id", "=", scope.conversationId)
    .executeTakeFirst();
  return row && mediaOf(row);
}

/** A row by id alone: for signed links (the signature is the capability) and jobs. */
export async function findMediaById(db: Db, mediaId: string): Promise<MediaRecord | undefined> {
  const row = await db.selectFrom("media").selectAll().where("id", "=", mediaId).executeTakeFirst();
  return row && mediaOf(row);
}

/** Changes a row's checked facts (status, sniffed type, size, dimensions, …); answers whether it was there. */
export async function updateMedia(
  db: Db,
  mediaId: string,
  changes: Partial<Omit<MediaTable, "id" | "site_id" | "conversation_id" | "visitor_id">>,
): Promise<boolean> {
  const result = await db.updateTable("media").set(changes).where("id", "=", mediaId).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Attaches ready, unattached pictures to a message, all or none: answers how many it attached,
 * so a caller that expected n and got fewer knows one was taken meanwhile.
 */
export async function attachMedia(db: Db, mediaIds: string[], messageId: string, now: number): Promise<number> {
  if (!mediaIds.length) return 0;
  const result = await db
    .updateTable("media")
    .set({ message_id: messageId, updated_at: now })
    .where("id", "in", mediaIds)
    .where("status", "=", "ready")
    .where("message_id", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** The media of these messages (pictures sent with them, drawings made for them), oldest first. */
export async function mediaOfMessages(db: Db, messageIds: string[]): Promise<MediaRecord[]> {
  if (!messageIds.length) return [];
  const rows = await db.selectFrom("media").selectAll().where("message_id", "in", messageIds).orderBy("created_at").orderBy("id").execute();
  return rows.map(mediaOf);
}

/** Rows whose time is up (retention, or an upload never completed), at most `limit`. */
export async function expiredMedia(db: Db, now: number, limit: number): Promise<MediaRecord[]> {
  const rows = await db.selectFrom("media").selectAll().where("expires_at", "<", now).orderBy("expires_at").limit(limit).execute();
  return rows.map(mediaOf);
}

export async function deleteMedia(db: Db, mediaIds: string[]): Promise<void> {
  if (mediaIds.length) await db.deleteFrom("media").where("id", "in", mediaIds).execute();
}
