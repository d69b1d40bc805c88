import { sql } from "kysely";
import type { Db } from "../../db/database.js";
import { isMysql } from "../../db/dialect.js";
import type { ApiCallsTable, ConversationsTable, MessagesTable } from "../../db/schema.js";

export async function insertConversation(db: Db, row: ConversationsTable): Promise<void> {
  await db.insertInto("conversations").values(row).execute();
}

/** Scoped to site and visitor: another visitor's conversation is simply not found. */
export function findVisitorConversation(db: Db, siteId: string, visitorId: string, conversationId: string) {
  return db
    .selectFrom("conversations")
    .selectAll()
    .where("id", "=", conversationId)
    .where("site_id", "=", siteId)
    .where("visitor_id", "=", visitorId)
    .executeTakeFirst();
}

export function listVisitorConversations(db: Db, siteId: string, visitorId: string, limit: number) {
  return db
    .selectFrom("conversations")
    .selectAll()
    .where("site_id", "=", siteId)
    .where("visitor_id", "=", visitorId)
    .orderBy("updated_at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
}

/** The newest `limit` messages, oldest first. */
export async function lastMessages(db: Db, conversationId: string, limit: number) {
  const rows = await db
    .selectFrom("messages")
    .selectAll()
    .where("conversation_id", "=", conversationId)
    .orderBy("seq", "desc")
    .limit(limit)
    .execute();
  return rows.reverse();
}

export type NewMessage = Omit<MessagesTable, "seq">;

/**
 * Appends a message: the conversation's counter is bumped and read in the same transaction, so
 * concurrent appends to one conversation get distinct, ordered seq numbers on both databases.
 */
export async function appendMessage(db: Db, message: NewMessage, title?: string): Promise<MessagesTable> {
  const mysql = isMysql(db);
  return db.transaction().execute(async (trx) => {
    const bump = trx
      .updateTable("conversations")
      .set({
        // MySQL has no UPDATE … RETURNING: LAST_INSERT_ID(expr) hands the new count back in the
        // statement's own result instead (per connection), saving a SELECT on the chat path.
        message_count: mysql ? sql`last_insert_id(message_count + 1)` : sql`message_count + 1`,
        updated_at: message.created_at,
        ...(title !== undefined ? { title: sql`case when title = '' then ${title} else title end` } : {}),
      })
      .where("id", "=", message.conversation_id);
    const seq = mysql
      ? Number((await trx.executeQuery(bump.compile())).insertId)
      : Number((await bump.returning("message_count").executeTakeFirstOrThrow()).message_count);
    // No such conversation (callers check first; a delete may come in between): nothing appended.
    if (!seq) throw new Error(`conversation ${message.conversation_id} not found`);
    const row: MessagesTable = { ...message, seq };
    await trx.insertInto("messages").values(row).execute();
    return row;
  });
}

export async function insertApiCall(db: Db, row: ApiCallsTable): Promise<void> {
  await db.insertInto("api_calls").values(row).execute();
}
