import { sql } from "kysely";
import type { Db } from "../../db/database.js";
import { isMysql } from "../../db/dialect.js";
import type { ApiCallsTable, CallOutcome, ConversationsTable, MessageRole, MessageStatus, MessagesTable } from "../../db/schema.js";

/** A visitor's conversation as the chat service sees it (rows are mapped here, in and out). */
export interface ConversationRecord {
  id: string;
  siteId: string;
  visitorId: string;
  title: string;
  messageCount: number;
  createdAt: number;
  updatedAt: number;
}

export interface MessageRecord {
  id: string;
  conversationId: string;
  siteId: string;
  /** the message's place in its conversation, from 1 */
  seq: number;
  role: MessageRole;
  content: string;
  status: MessageStatus;
  /** upstream's error code, or ours, when the answer failed */
  errorCode: string | null;
  model: string | null;
  promptTokens: number | null;
  completionTokens: number | null;
  latencyMs: number | null;
  ttftMs: number | null;
  createdAt: number;
}

export type NewMessage = Omit<MessageRecord, "seq">;

/** One upstream attempt (or a call that could not be made), for api_calls. */
export interface ApiCallRecord {
  id: string;
  siteId: string;
  conversationId: string | null;
  messageId: string | null;
  model: string;
  attempt: number;
  outcome: CallOutcome;
  errorCode: string | null;
  httpStatus: number | null;
  promptTokens: number | null;
  completionTokens: number | null;
  latencyMs: number;
  ttftMs: number | null;
  upstreamRequestId: string | null;
  createdAt: number;
}

const conversationOf = (row: ConversationsTable): ConversationRecord => ({
  id: row.id,
  siteId: row.site_id,
  visitorId: row.visitor_id,
  title: row.title,
  messageCount: row.message_count,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const messageOf = (row: MessagesTable): MessageRecord => ({
  id: row.id,
  conversationId: row.conversation_id,
  siteId: row.site_id,
  seq: row.seq,
  role: row.role,
  content: row.content,
  status: row.status,
  errorCode: row.error_code,
  model: row.model,
  promptTokens: row.prompt_tokens,
  completionTokens: row.completion_tokens,
  latencyMs: row.latency_ms,
  ttftMs: row.ttft_ms,
  createdAt: row.created_at,
});

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
