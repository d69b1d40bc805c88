import type { Db } from "../../db/database.js";
import { type MediaRecord, mediaOf } from "../media/media.records.js";

/**
 * A visitor's upload by id alone (the /v1/uploads routes name no conversation): scoped to the site
 * and visitor, and to a conversation that is still theirs, so any other id reads as missing.
 */
export async function findVisitorUpload(
  db: Db,
  scope: { siteId: string; visitorId: string },
  uploadId: string,
): Promise<MediaRecord | undefined> {
  const row = await db
    .selectFrom("media")
    .innerJoin("conversations", "conversations.id", "media.conversation_id")
    .selectAll("media")
    .where("media.id", "=", uploadId)
    .where("media.site_id", "=", scope.siteId)
    .where("media.visitor_id", "=", scope.visitorId)
    .where("media.kind", "in", ["image", "audio"])
    .where("conversations.site_id", "=", scope.siteId)
    .where("conversations.visitor_id", "=", scope.visitorId)
    .executeTakeFirst();
  return row && mediaOf(row);
}
