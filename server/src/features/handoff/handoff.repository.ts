import { sql } from "kysely";
import type { Db } from "../../db/database.js";
import type { ConversationStatus } from "../../db/schema.js";
import { displayNameFrom } from "../members/display-name.js";

/** What a status change writes; only the fields named are written. */
export interface ConversationChanges {
  status?: ConversationStatus;
  assigneeId?: string | null;
  handoffAt?: number | null;
  visitorEmail?: string;
}

/** Scoped to the site: another site's conversation is not touched (false). */
export async function updateConversation(db: Db, siteId: string, conversationId: string, changes: ConversationChanges): Promise<boolean> {
  const row: Record<string, unknown> = {};
  if (changes.status !== undefined) row.status = changes.status;
  if (changes.assigneeId !== undefined) row.assignee_id = changes.assigneeId;
  if (changes.handoffAt !== undefined) row.handoff_at = changes.handoffAt;
  if (changes.visitorEmail !== undefined) row.visitor_email = changes.visitorEmail;
  const result = await db
    .updateTable("conversations")
    .set(row)
    .where("id", "=", conversationId)
    .where("site_id", "=", siteId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** The team has read the conversation up to `seq`; the mark never moves back (two tabs, two readers). */
export async function markRead(db: Db, siteId: string, conversationId: string, seq: number): Promise<boolean> {
  const result = await db
    .updateTable("conversations")
    .set({ agent_read_seq: seq })
    .where("id", "=", conversationId)
    .where("site_id", "=", siteId)
    .where("agent_read_seq", "<", seq)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Per conversation: the visitor's messages after the team's read mark (absent: none). */
export async function unreadCounts(db: Db, siteId: string, conversationIds: string[]): Promise<Map<string, number>> {
  if (!conversationIds.length) return new Map();
  const rows = await db
    .selectFrom("messages")
    .innerJoin("conversations", "conversations.id", "messages.conversation_id")
    .select(["messages.conversation_id as id", sql<number>`count(*)`.as("n")])
    .where("messages.site_id", "=", siteId)
    .where("conversations.site_id", "=", siteId)
    .where("messages.conversation_id", "in", conversationIds)
    .where("messages.role", "=", "user")
    .whereRef("messages.seq", ">", "conversations.agent_read_seq")
    .groupBy("messages.conversation_id")
    .execute();
  return new Map(rows.map((r) => [r.id, Number(r.n)]));
}

export interface TeamAccount {
  id: string;
  email: string;
  /** owners.display_name, else the email's local part: what visitors see on the account's replies */
  name: string;
  /** the language of the account's mail; null: zh-CN */
  language: string | null;
}

/** Accounts by id (assignees, authors); ids with no account are left out. */
export async function accountsByIds(db: Db, ids: string[]): Promise<Map<string, TeamAccount>> {
  const unique = [...new Set(ids)];
  if (!unique.length) return new Map();
  const rows = await db.selectFrom("owners").select(["id", "email", "display_name", "language"]).where("id", "in", unique).execute();
  return new Map(rows.map((r) => [r.id, { id: r.id, email: r.email, name: displayNameFrom(r), language: r.language }]));
}

/** The site's team: its owner and every member (site_members), each once. */
export async function teamOfSite(db: Db, siteId: string): Promise<TeamAccount[]> {
  const owner = await db
    .selectFrom("sites")
    .innerJoin("owners", "owners.id", "sites.owner_id")
    .select(["owners.id", "owners.email", "owners.display_name", "owners.language"])
    .where("sites.id", "=", siteId)
    .execute();
  const members = await db
    .selectFrom("site_members")
    .innerJoin("owners", "owners.id", "site_members.account_id")
    .select(["owners.id", "owners.email", "owners.display_name", "owners.language"])
    .where("site_members.site_id", "=", siteId)
    .orderBy("site_members.created_at")
    .execute();
  const seen = new Set<string>();
  return [...owner, ...members]
    .filter((r) => !seen.has(r.id) && seen.add(r.id))
    .map((r) => ({ id: r.id, email: r.email, name: displayNameFrom(r), language: r.language }));
}

/** Whether the account is on the site's team (its owner or a member): who a conversation may be assigned to. */
export async function isOnTeam(db: Db, site: { id: string; ownerId: string }, accountId: string): Promise<boolean> {
  if (site.ownerId === accountId) return true;
  const row = await db
    .selectFrom("site_members")
    .select("account_id")
    .where("site_id", "=", site.id)
    .where("account_id", "=", accountId)
    .executeTakeFirst();
  return row !== undefined;
}
