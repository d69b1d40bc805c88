import { sql } from "kysely";
import type { Db } from "../../db/database.js";
import { isMysql } from "../../db/dialect.js";
import type { ApiCallsTable } from "../../db/schema.js";
import {
  type ApiCallRecord,
  type ConversationRecord,
  type MessageRecord,
  type NewMessage,
  conversationOf,
  messageOf,
} from "./chat.records.js";

export async function insertConversation(db: Db, conversation: ConversationRecord): Promise<void> {
  await db
    .insertInto("conversations")
    .values({
      id: conversation.id,
      site_id: conversation.siteId,
      visitor_id: conversation.visitorId,
      title: conversation.title,
      message_count: conversation.messageCount,
      created_at: conversation.createdAt,
      updated_at: conversation.updatedAt,
    })
    .execute();
}

/** Scoped to site and visitor: another visitor's conversation is simply not found. */
export async function findVisitorConversation(
  db: Db,
  siteId: string,
  visitorId: string,
  conversationId: string,
): Promise<ConversationRecord | undefined> {
  const row = await db
    .selectFrom("conversations")
    .selectAll()
    .where("id", "=", conversationId)
    .where("site_id", "=", siteId)
    .where("visitor_id", "=", visitorId)
    .executeTakeFirst();
  return row && conversationOf(row);
}

export async function listVisitorConversations(db: Db, siteId: string, visitorId: string, limit: number): Promise<ConversationRecord[]> {
  const rows = await db
    .selectFrom("conversations")
    .selectAll()
    .where("site_id", "=", siteId)
    .where("visitor_id", "=", visitorId)
    .orderBy("updated_at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
  return rows.map(conversationOf);
}

/** The newest `limit` messages, oldest first. */
export async function lastMessages(db: Db, conversationId: string, limit: number): Promise<MessageRecord[]> {
  const rows = await db
    .selectFrom("messages")
    .selectAll()
    .where("conversation_id", "=", conversationId)
    .orderBy("seq", "desc")
    .limit(limit)
    .execute();
  return rows.reverse().map(messageOf);
}

/**
 * Appends a message: the conversation's counter is bumped and read in the same transaction, so
 * concurrent appends to one conversation get distinct, ordered seq numbers on both databases.
 */
export async function appendMessage(db: Db, message: NewMessage, title?: string): Promise<MessageRecord> {
  const mysql = isMysql(db);
  return db.transaction().execute(async (trx) => {
    const bump = trx
      .updateTable("conversations")
      .set({
        // MySQL has no UPDATE … RETURNING: LAST_INSERT_ID(expr) hands the new count back in the
        // statement's own result instead (per connection), saving a SELECT on the chat path.
        message_count: mysql ? sql`last_insert_id(message_count + 1)` : sql`message_count + 1`,
        updated_at: message.createdAt,
        ...(title !== undefined ? { title: sql`case when title = '' then ${title} else title end` } : {}),
      })
      .where("id", "=", message.conversationId);
    const seq = mysql
      ? Number((await trx.executeQuery(bump.compile())).insertId)
      : Number((await bump.returning("message_count").executeTakeFirstOrThrow()).message_count);
    // No such conversation (callers check first; a delete may come in between): nothing appended.
    if (!seq) throw new Error(`conversation ${message.conversationId} not found`);
    await trx
      .insertInto("messages")
      .values({
        id: message.id,
        conversation_id: message.conversationId,
        site_id: message.siteId,
        seq,
        role: message.role,
        content: message.content,
        status: message.status,
        error_code: message.errorCode,
        model: message.model,
        prompt_tokens: message.promptTokens,
        completion_tokens: message.completionTokens,
        latency_ms: message.latencyMs,
        ttft_ms: message.ttftMs,
        created_at: message.createdAt,
      })
      .execute();
    return { ...message, seq };
  });
}

export async function insertApiCall(db: Db, call: ApiCallRecord): Promise<void> {
  const row: ApiCallsTable = {
    id: call.id,
    site_id: call.siteId,
    conversation_id: call.conversationId,
    message_id: call.messageId,
    model: call.model,
    attempt: call.attempt,
    outcome: call.outcome,
    error_code: call.errorCode,
    http_status: call.httpStatus,
    prompt_tokens: call.promptTokens,
    completion_tokens: call.completionTokens,
    latency_ms: call.latencyMs,
    ttft_ms: call.ttftMs,
    upstream_request_id: call.upstreamRequestId,
    created_at: call.createdAt,
  };
  await db.insertInto("api_calls").values(row).execute();
}
