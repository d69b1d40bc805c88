import { sql } from "kysely";
import type { Db } from "../../db/database.js";
import type { ConversationStatus, Rating } from "../../db/schema.js";
import { type ConversationRecord, type MessageRecord, conversationOf, messageOf } from "../chat/chat.records.js";

export interface ConversationFilter {
  siteId: string;
  q?: string;
  /** only conversations with an answer rated so */
  rating?: Rating;
  fromMs?: number;
  toMs?: number;
  after?: ConversationCursor;
  /** only these statuses */
  statuses?: ConversationStatus[];
  limit: number;
}

/** Where a page ends in the inbox's order: waiting first, then human, then the rest; newest first in each. */
export interface ConversationCursor {
  rank: number;
  updatedAt: number;
  id: string;
}

/** The inbox's order of statuses (the cursor's rank). */
export const statusRank = (status: ConversationStatus): number => (status === "waiting" ? 0 : status === "human" ? 1 : 2);
const rankSql = sql<number>`case ${sql.ref("conversations.status")} when 'waiting' then 0 when 'human' then 1 else 2 end`;

/**
 * LIKE with the owner's text taken literally, matched without regard to letter case, the same on
 * both databases: SQLite has no default escape character (MySQL's is `\`), hence an explicit
 * ESCAPE; utf8mb4_bin makes MySQL's LIKE case-sensitive (SQLite's is not), hence lower().
 */
function likePattern(q: string): string {
  return `%${q.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/**
 * Waiting first, then human, then the rest, newest first in each: keyset paging on (rank,
 * updated_at, id). Callers have checked the account's access to the site. Conversations nobody
 * wrote in are left out (a script can start many; they are deleted after a day), unless the
 * visitor asked for a person in one.
 */
export async function listSiteConversations(db: Db, f: ConversationFilter): Promise<ConversationRecord[]> {
  let query = db
    .selectFrom("conversations")
    .selectAll("conversations")
    .where("conversations.site_id", "=", f.siteId)
    .where((eb) => eb.or([eb("conversations.message_count", ">", 0), eb("conversations.status", "in", ["waiting", "human"])]));
  if (f.statuses) query = query.where("conversations.status", "in", f.statuses);
  if (f.fromMs !== undefined) query = query.where("conversations.updated_at", ">=", f.fromMs);
  if (f.toMs !== undefined) query = query.where("conversations.updated_at", "<", f.toMs);
  if (f.after) {
    const { rank, updatedAt, id } = f.after;
    query = query.where((eb) =>
      eb.or([
        eb(rankSql, ">", rank),
        eb.and([eb(rankSql, "=", rank), eb("conversations.updated_at", "<", updatedAt)]),
        eb.and([eb(rankSql, "=", rank), eb("conversations.updated_at", "=", updatedAt), eb("conversations.id", "<", id)]),
      ]),
    );
  }
  if (f.q) {
    const pattern = likePattern(f.q);
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom("messages")
          .select("messages.id")
          .whereRef("messages.conversation_id", "=", "conversations.id")
          .where("messages.site_id", "=", f.siteId)
          .where(sql<boolean>`lower(${sql.ref("messages.content")}) like lower(${pattern}) escape '!'`),
      ),
    );
  }
  if (f.rating) {
    const rating = f.rating;
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom("messages")
          .select("messages.id")
          .whereRef("messages.conversation_id", "=", "conversations.id")
          .where("messages.site_id", "=", f.siteId)
          .where("messages.rating", "=", rating),
      ),
    );
  }
  const rows = await query
    .orderBy(rankSql, "asc")
    .orderBy("conversations.updated_at", "desc")
    .orderBy("conversations.id", "desc")
    .limit(f.limit + 1)
    .execute();
  return rows.map(conversationOf);
}

export async function findSiteConversation(db: Db, siteId: string, conversationId: string): Promise<ConversationRecord | undefined> {
  const row = await db
    .selectFrom("conversations")
    .selectAll()
    .where("id", "=", conversationId)
    .where("site_id", "=", siteId)
    .executeTakeFirst();
  return row && conversationOf(row);
}

export async function conversationMessages(db: Db, siteId: string, conversationId: string): Promise<MessageRecord[]> {
  const rows = await db
    .selectFrom("messages")
    .selectAll()
    .where("conversation_id", "=", conversationId)
    .where("site_id", "=", siteId)
    .orderBy("seq", "asc")
    .execute();
  return rows.map(messageOf);
}

/** The rated answers of some conversations of a site, oldest first: the owner's list shows each conversation's ratings. */
export async function ratingsOfConversations(
  db: Db,
  siteId: string,
  conversationIds: string[],
): Promise<Array<{ conversationId: string; rating: Rating; comment: string | null }>> {
  if (!conversationIds.length) return [];
  const rows = await db
    .selectFrom("messages")
    .select(["conversation_id", "rating", "rating_comment"])
    .where("site_id", "=", siteId)
    .where("conversation_id", "in", conversationIds)
    .where("rating", "is not", null)
    .orderBy("seq", "asc")
    .execute();
  return rows.map((r) => ({ conversationId: r.conversation_id, rating: r.rating!, comment: r.rating_comment }));
}
