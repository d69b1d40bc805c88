import type { Db } from "../../db/database.js";
import type { MessageRole, MessageStatus } from "../../db/schema.js";
import type { Feedback } from "../chat/chat.records.js";

/** What rating a message needs to know of it. */
export interface RatedMessage {
  role: MessageRole;
  status: MessageStatus;
  hasContent: boolean;
}

/**
 * A message of the visitor's own conversation on their site; another visitor's (or another
 * site's) message is simply not found.
 */
export async function findVisitorMessage(db: Db, siteId: string, visitorId: string, messageId: string): Promise<RatedMessage | undefined> {
  const row = await db
    .selectFrom("messages")
    .innerJoin("conversations", "conversations.id", "messages.conversation_id")
    .select(["messages.role", "messages.status", "messages.content"])
    .where("messages.id", "=", messageId)
    .where("messages.site_id", "=", siteId)
    .where("conversations.site_id", "=", siteId)
    .where("conversations.visitor_id", "=", visitorId)
    .executeTakeFirst();
  return row && { role: row.role, status: row.status, hasContent: row.content.trim() !== "" };
}

/** Stores the rating, replacing any earlier one: the last rating wins. */
export async function rateMessage(db: Db, siteId: string, messageId: string, feedback: Feedback, at: number): Promise<void> {
  await db
    .updateTable("messages")
    .set({ rating: feedback.rating, rating_comment: feedback.comment, rated_at: at })
    .where("id", "=", messageId)
    .where("site_id", "=", siteId)
    .execute();
}
