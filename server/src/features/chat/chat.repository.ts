import { type Insertable, type Transaction, sql } from "kysely";
import type { Db } from "../../db/database.js";
import { isMysql } from "../../db/dialect.js";
import { AppError } from "../../errors.js";
import type { ApiCallsTable, Database, MessagesTable } from "../../db/schema.js";
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
      status: conversation.status,
      assignee_id: conversation.assigneeId,
      handoff_at: conversation.handoffAt,
      visitor_email: conversation.visitorEmail,
      agent_read_seq: conversation.agentReadSeq,
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
 * Appends messages (a question and its answer's row) in one transaction: the conversation's
 * counter is bumped and read in it, so concurrent appends to one conversation get distinct,
 * ordered seq numbers on both databases. `within` runs in the same transaction once the rows are
 * written (a question's pictures attached to it): if it throws, nothing is appended.
 */
export async function appendMessages(
  db: Db,
  messages: NewMessage[],
  title?: string,
  within?: (trx: Transaction<Database>, records: MessageRecord[]) => Promise<void>,
): Promise<MessageRecord[]> {
  const mysql = isMysql(db);
  const n = messages.length;
  return db.transaction().execute(async (trx) => {
    const bump = trx
      .updateTable("conversations")
      .set({
        // MySQL has no UPDATE … RETURNING: LAST_INSERT_ID(expr) hands the new count back in the
        // statement's own result instead (per connection), saving a SELECT on the chat path.
        message_count: mysql ? sql`last_insert_id(message_count + ${n})` : sql`message_count + ${n}`,
        updated_at: messages[0].createdAt,
        ...(title !== undefined ? { title: sql`case when title = '' then ${title} else title end` } : {}),
      })
      .where("id", "=", messages[0].conversationId);
    const count = mysql
      ? Number((await trx.executeQuery(bump.compile())).insertId)
      : Number((await bump.returning("message_count").executeTakeFirst())?.message_count ?? 0);
    // No such conversation (callers check first; a delete may come in between — the owner's, or
    // the sweep of empty conversations): nothing appended, and the widget starts a new one.
    if (!count) throw new AppError("not_found", "No such conversation.");
    const records = messages.map((m, i): MessageRecord => ({ ...m, seq: count - n + 1 + i, feedback: null, author: m.author ?? null }));
    await trx.insertInto("messages").values(records.map(messageRow)).execute();
    await within?.(trx, records);
    return records;
  });
}

/**
 * Streaming answers' text so far (`content`: null keeps it) and their lease renewed, in one
 * statement for every answer of the instance; an answer that has ended (or was settled as cut off
 * meanwhile) is left as it is, whichever of the two writes comes first.
 */
export async function checkpointAnswers(db: Db, answers: Array<{ id: string; content: string | null }>, at: number): Promise<void> {
  const changed = answers.filter((a) => a.content !== null);
  const content = changed.length
    ? sql<string>`case ${sql.join(
        changed.map((a) => sql`when id = ${a.id} then ${a.content}`),
        sql` `,
      )} else content end`
    : undefined;
  await db
    .updateTable("messages")
    .set(content ? { content, checkpoint_at: at } : { checkpoint_at: at })
    .where(
      "id",
      "in",
      answers.map((a) => a.id),
    )
    .where("status", "=", "streaming")
    .execute();
}

export type AnswerEnd = Pick<
  MessageRecord,
  "content" | "status" | "errorCode" | "promptTokens" | "completionTokens" | "latencyMs" | "ttftMs" | "sources"
>;

/**
 * An answer's final write. False when its row is no longer streaming: settled as cut off by
 * another instance while this one was frozen, or deleted with its site; it is not written twice.
 */
export async function finishAnswer(db: Db, messageId: string, end: AnswerEnd): Promise<boolean> {
  const result = await db
    .updateTable("messages")
    .set({
      content: end.content,
      status: end.status,
      error_code: end.errorCode,
      prompt_tokens: end.promptTokens,
      completion_tokens: end.completionTokens,
      latency_ms: end.latencyMs,
      ttft_ms: end.ttftMs,
      sources: sourcesJson(end.sources),
      checkpoint_at: null,
    })
    .where("id", "=", messageId)
    .where("status", "=", "streaming")
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** The error_code of an answer whose instance died while it streamed. */
const CUT_OFF_CODE = "instance_lost";

/** Which streaming answers count as cut off. */
export interface CutOff {
  /** answers whose lease (checkpoint_at) ran out before this */
  staleBefore: number;
  /**
   * answers the reading instance is streaming itself: alive whatever their lease says (thawed
   * after a freeze longer than the lease, it reads before its checkpoint timer renews them)
   */
  live: readonly string[];
}

/**
 * Answers whose instance stopped writing them before `staleBefore` (killed, or frozen past the
 * lease) become partial with the text of their last checkpoint, or error when they have none.
 * A live answer renews its lease well within that time, so it is never settled here.
 */
export async function settleCutAnswers(db: Db, cutOff: CutOff, conversationId?: string): Promise<number> {
  let query = db
    .updateTable("messages")
    .set({
      status: sql`case when content = '' then 'error' else 'partial' end`,
      error_code: CUT_OFF_CODE,
      checkpoint_at: null,
    })
    .where("status", "=", "streaming")
    .where("checkpoint_at", "<", cutOff.staleBefore);
  if (cutOff.live.length) query = query.where("id", "not in", cutOff.live);
  if (conversationId !== undefined) query = query.where("conversation_id", "=", conversationId);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * `messages` of one conversation, with any answer among them whose instance died settled first
 * (settleCutAnswers) and the list read again; the same list when there is none, at no cost.
 */
export async function settledMessages(
  db: Db,
  conversationId: string,
  messages: MessageRecord[],
  cutOff: CutOff,
  reread: () => Promise<MessageRecord[]>,
): Promise<MessageRecord[]> {
  const isCut = (m: MessageRecord) =>
    m.status === "streaming" && (m.checkpointAt ?? m.createdAt) < cutOff.staleBefore && !cutOff.live.includes(m.id);
  if (!messages.some(isCut)) return messages;
  await settleCutAnswers(db, cutOff, conversationId);
  return reread();
}

function messageRow(m: MessageRecord): MessagesTable {
  return {
    id: m.id,
    conversation_id: m.conversationId,
    site_id: m.siteId,
    seq: m.seq,
    role: m.role,
    content: m.content,
    status: m.status,
    error_code: m.errorCode,
    model: m.model,
    prompt_tokens: m.promptTokens,
    completion_tokens: m.completionTokens,
    latency_ms: m.latencyMs,
    ttft_ms: m.ttftMs,
    created_at: m.createdAt,
    checkpoint_at: m.checkpointAt,
    sources: sourcesJson(m.sources),
    rating: null,
    rating_comment: null,
    rated_at: null,
    author_id: m.author?.id ?? null,
    author_name: m.author?.name ?? null,
  };
}

/** An answer that cited nothing keeps null, as one written before sources were kept. */
const sourcesJson = (sources: MessageRecord["sources"]) => (sources?.length ? JSON.stringify(sources) : null);

export async function insertApiCall(db: Db, call: ApiCallRecord): Promise<void> {
  const row: Insertable<ApiCallsTable> = {
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
    kind: call.kind ?? "chat",
    units: call.units ?? null,
  };
  await db.insertInto("api_calls").values(row).execute();
}

/**
 * Deletes at most `limit` conversations that never got a message and were started before
 * `before`; answers how many. The delete re-checks the count, so a first message that lands in
 * between keeps its conversation.
 */
export async function deleteEmptyConversations(db: Db, before: number, limit: number): Promise<number> {
  const rows = await db
    .selectFrom("conversations")
    .select("id")
    .where("message_count", "=", 0)
    .where("created_at", "<", before)
    .limit(limit)
    .execute();
  if (!rows.length) return 0;
  const result = await db
    .deleteFrom("conversations")
    .where(
      "id",
      "in",
      rows.map((r) => r.id),
    )
    .where("message_count", "=", 0)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
