import type { AppDeps } from "../../deps.js";
import type { MediaView } from "../media/media.schemas.js";
import type { MediaLinkDeps } from "../chat/message-attachments.js";
import { attachmentsOf } from "../chat/message-attachments.js";
import { iso } from "../../db/times.js";
import { AppError } from "../../errors.js";
import type { ConversationRecord, MessageRecord } from "../chat/chat.records.js";
import { settledMessages } from "../chat/chat.repository.js";
import { accountsByIds, markRead, unreadCounts } from "../handoff/handoff.repository.js";
import { siteAccess } from "../sites/site-access.js";
import { publishEvent } from "../../live/site-events.js";
import {
  type ConversationCursor,
  conversationMessages,
  findSiteConversation,
  listSiteConversations,
  ratingsOfConversations,
  statusRank,
} from "./conversations.repository.js";
import type { ConversationQuery } from "./conversations.schemas.js";

interface TeamState {
  ratings: Awaited<ReturnType<typeof ratingsOfConversations>>;
  unread: Map<string, number>;
  names: Map<string, { name: string }>;
}

function toConversation(
  { siteId: _site, handoffAt: _asked, agentReadSeq: _read, ...c }: ConversationRecord,
  { ratings, unread, names }: TeamState,
) {
  const own = ratings.filter((r) => r.conversationId === c.id);
  return {
    ...c,
    assigneeName: c.assigneeId === null ? null : (names.get(c.assigneeId)?.name ?? null),
    unread: unread.get(c.id) ?? 0,
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
    ratedUp: own.filter((r) => r.rating === "up").length,
    ratedDown: own.filter((r) => r.rating === "down").length,
    ratingComments: own.flatMap((r) => (r.comment ? [r.comment] : [])),
  };
}

/**
 * Conversations as the team sees them (the inbox rows), with their ratings, unread counts and
 * assignees' names (one query each for the page).
 */
export async function ownerConversations(deps: Pick<AppDeps, "db">, siteId: string, conversations: ConversationRecord[]) {
  const ids = conversations.map((c) => c.id);
  const [ratings, unread, names] = await Promise.all([
    ratingsOfConversations(deps.db, siteId, ids),
    unreadCounts(deps.db, siteId, ids),
    accountsByIds(
      deps.db,
      conversations.flatMap((c) => (c.assigneeId ? [c.assigneeId] : [])),
    ),
  ]);
  return conversations.map((c) => toConversation(c, { ratings, unread, names }));
}

/** A message as the team reads it (OwnerMessage): the transcript, a reply's answer, the live inbox. */
export function toOwnerMessage(
  { conversationId: _conversation, siteId: _site, checkpointAt: _lease, author, ...m }: MessageRecord,
  attachments: MediaView[] = [],
) {
  return { ...m, authorName: author?.name ?? null, createdAt: iso(m.createdAt), sources: m.sources ?? [], attachments };
}

/** Every member of the site's team reads its conversations (docs/people.md "Roles"). */
async function requireTeamSite(deps: Pick<AppDeps, "db">, accountId: string, siteId: string) {
  await siteAccess(deps, accountId, siteId, "agent");
}

const encodeCursor = (c: ConversationRecord) => Buffer.from(`${statusRank(c.status)}:${c.updatedAt}:${c.id}`).toString("base64url");

function decodeCursor(cursor: string): ConversationCursor {
  const parts = Buffer.from(cursor, "base64url").toString().split(":");
  // A cursor from before the inbox's order (updatedAt:id) continues among the rest (rank 2).
  const [rank, updatedAt, id] = parts.length === 2 ? ["2", ...parts] : parts;
  if (!/^[0-2]$/.test(rank ?? "") || !/^\d+$/.test(updatedAt ?? "") || !/^[A-Za-z0-9_-]{3,64}$/.test(id ?? "")) {
    throw new AppError("invalid_query", "The cursor is not one this API gave out.");
  }
  return { rank: Number(rank), updatedAt: Number(updatedAt), id };
}

const STATUSES = {
  waiting: ["waiting"],
  human: ["human"],
  open: ["waiting", "human"],
  closed: ["closed"],
} as const satisfies Record<NonNullable<ConversationQuery["status"]>, ConversationRecord["status"][]>;

/** A date alone means the whole day (UTC): `to=2026-11-28` includes the 28th. */
function bound(value: string | undefined, endOfDay: boolean): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return endOfDay && /^\d{4}-\d{2}-\d{2}$/.test(value) ? ms + 24 * 3600 * 1000 : ms;
}

export async function listConversationsOfSite(deps: Pick<AppDeps, "db">, ownerId: string, siteId: string, query: ConversationQuery) {
  await requireTeamSite(deps, ownerId, siteId);
  const rows = await listSiteConversations(deps.db, {
    siteId,
    statuses: query.status && [...STATUSES[query.status]],
    q: query.q || undefined,
    rating: query.rating,
    fromMs: bound(query.from, false),
    toMs: bound(query.to, true),
    after: query.cursor ? decodeCursor(query.cursor) : undefined,
    limit: query.limit,
  });
  const page = rows.slice(0, query.limit);
  return {
    conversations: await ownerConversations(deps, siteId, page),
    nextCursor: rows.length > query.limit ? encodeCursor(page[page.length - 1]) : null,
  };
}

/**
 * A transcript; an answer whose instance died while it streamed is shown settled (partial), as the
 * visitor sees it. Opening it marks it read for the team (its inbox row changes for everyone).
 */
export async function getConversationOfSite(
  deps: Pick<AppDeps, "db" | "checkpoints" | "now"> & MediaLinkDeps,
  ownerId: string,
  siteId: string,
  conversationId: string,
) {
  await requireTeamSite(deps, ownerId, siteId);
  const conversation = await findSiteConversation(deps.db, siteId, conversationId);
  if (!conversation) throw new AppError("not_found", "No such conversation.");
  const read = () => conversationMessages(deps.db, siteId, conversationId);
  const messages = await settledMessages(deps.db, conversationId, await read(), deps.checkpoints.cutOff(), read);
  const lastSeq = messages.at(-1)?.seq ?? 0;
  const marked = await markRead(deps.db, siteId, conversationId, lastSeq);
  const [owned] = await ownerConversations(deps, siteId, [{ ...conversation, agentReadSeq: Math.max(conversation.agentReadSeq, lastSeq) }]);
  if (marked) await publishEvent(deps, { siteId, conversationId, type: "conversation", data: { conversation: owned } });
  const attachments = await attachmentsOf(deps, messages);
  return { conversation: owned, messages: messages.map((m) => toOwnerMessage(m, attachments.get(m.id))) };
}
