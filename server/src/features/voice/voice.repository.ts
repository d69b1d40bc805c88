import type { Db } from "../../db/database.js";
import { type MessageRecord, messageOf } from "../chat/chat.records.js";

/** An answer (the bot's or a team member's) in one of the visitor's conversations; undefined for anything else. */
export async function findVisitorAnswer(
  db: Db,
  scope: { siteId: string; visitorId: string },
  messageId: string,
): Promise<MessageRecord | undefined> {
  const row = await db
    .selectFrom("messages")
    .innerJoin("conversations", "conversations.id", "messages.conversation_id")
    .selectAll("messages")
    .where("messages.id", "=", messageId)
    .where("messages.site_id", "=", scope.siteId)
    .where("conversations.site_id", "=", scope.siteId)
    .where("conversations.visitor_id", "=", scope.visitorId)
    .where("messages.role", "in", ["assistant", "agent"])
    .executeTakeFirst();
  return row && messageOf(row);
}

/** An answer by id alone: the speech link's signature is the capability. */
export async function findAnswer(db: Db, messageId: string): Promise<MessageRecord | undefined> {
  const row = await db
    .selectFrom("messages")
    .selectAll()
    .where("id", "=", messageId)
    .where("role", "in", ["assistant", "agent"])
    .executeTakeFirst();
  return row && messageOf(row);
}
