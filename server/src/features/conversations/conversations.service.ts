import type { AppDeps } from "../../deps.js";
import { iso } from "../../db/times.js";
import { AppError } from "../../errors.js";
import type { ConversationRecord, MessageRecord } from "../chat/chat.records.js";
import { settledMessages } from "../chat/chat.repository.js";
import { siteAccess } from "../sites/site-access.js";
import { conversationMessages, findSiteConversation, listSiteConversations, ratingsOfConversations } from "./conversations.repository.js";
import type { ConversationQuery } from "./conversations.schemas.js";

function toConversation({ siteId: _site, ...c }: ConversationRecord, ratings: Awaited<ReturnType<typeof ratingsOfConversations>>) {
  const own = ratings.filter((r) => r.conversationId === c.id);
  return {
    ...c,
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
    ratedUp: own.filter((r) => r.rating === "up").length,
    ratedDown: own.filter((r) => r.rating === "down").length,
    ratingComments: own.flatMap((r) => (r.comment ? [r.comment] : [])),
  };
}

/** Conversations as the owner sees them, with their ratings (one query for the page). */
async function ownerConversations(deps: Pick<AppDeps, "db">, siteId: string, conversations: ConversationRecord[]) {
  const ratings = await ratingsOfConversations(
    deps.db,
    siteId,
    conversations.map((c) => c.id),
  );
  return conversations.map((c) => toConversation(c, ratings));
}

function toMessage({ conversationId: _conversation, siteId: _site, checkpointAt: _lease, author, ...m }: MessageRecord) {
  return { ...m, authorName: author?.name ?? null, createdAt: iso(m.createdAt), sources: m.sources ?? [] };
}

/** Conversations are the whole team's: every role reads them (docs/people.md). */
async function requireOwnedSite(deps: Pick<AppDeps, "db">, accountId: string, siteId: string) {
  await siteAccess(deps, accountId, siteId, "agent");
}

const encodeCursor = (c: ConversationRecord) => Buffer.from(`${c.updatedAt}:${c.id}`).toString("base64url");

function decodeCursor(cursor: string): { updatedAt: number; id: string } {
  const [updatedAt, id] = Buffer.from(cursor, "base64url").toString().split(":");
  if (!/^\d+$/.test(updatedAt ?? "") || !/^[A-Za-z0-9_-]{3,64}$/.test(id ?? "")) {
    throw new AppError("invalid_query", "The cursor is not one this API gave out.");
  }
  return { updatedAt: Number(updatedAt), id };
}

/** A date alone means the whole day (UTC): `to=2026-11-28` includes the 28th. */
function bound(value: string | undefined, endOfDay: boolean): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return endOfDay && /^\d{4}-\d{2}-\d{2}$/.test(value) ? ms + 24 * 3600 * 1000 : ms;
}

export async function listConversationsOfSite(deps: Pick<AppDeps, "db">, ownerId: string, siteId: string, query: ConversationQuery) {
  await requireOwnedSite(deps, ownerId, siteId);
  const rows = await listSiteConversations(deps.db, {
    siteId,
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

/** A transcript; an answer whose instance died while it streamed is shown settled (partial), as the visitor sees it. */
export async function getConversationOfSite(
  deps: Pick<AppDeps, "db" | "checkpoints">,
  ownerId: string,
  siteId: string,
  conversationId: string,
) {
  await requireOwnedSite(deps, ownerId, siteId);
  const conversation = await findSiteConversation(deps.db, siteId, conversationId);
  if (!conversation) throw new AppError("not_found", "No such conversation.");
  const read = () => conversationMessages(deps.db, siteId, conversationId);
  const messages = await settledMessages(deps.db, conversationId, await read(), deps.checkpoints.cutOff(), read);
  const [owned] = await ownerConversations(deps, siteId, [conversation]);
  return { conversation: owned, messages: messages.map(toMessage) };
}
