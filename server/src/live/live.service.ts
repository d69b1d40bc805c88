import type { AppDeps } from "../deps.js";
import type { MediaLinkDeps } from "../features/chat/message-attachments.js";
import { attachmentsOf } from "../features/chat/message-attachments.js";
import { AppError } from "../errors.js";
import type { VisitorPrincipal } from "../http/route.js";
import type { SseWriter } from "../http/sse.js";
import { findVisitorConversation } from "../features/chat/chat.repository.js";
import { messageOf } from "../features/chat/chat.records.js";
import { siteAccess } from "../features/sites/site-access.js";
import { displayNameOf } from "../features/members/display-name.js";
import { toOwnerMessage } from "../features/conversations/conversations.service.js";
import { EventCursor } from "./event-cursor.js";
import { type Delivery, runLiveStream, startingPoint } from "./live-stream.js";
import { TeamStreamEvents, VisitorStreamEvents } from "./live.schemas.js";
import type { LiveEvent } from "./site-events.js";

/** A typing event older than this is not sent (a reconnect must not show a member typing long ago). */
export const TYPING_FRESH_MS = 10_000;
/** How often the team's stream re-reads the member's access to the site. */
export const ACCESS_CHECK_MS = 5_000;

type StreamDeps = Pick<AppDeps, "db" | "live" | "config" | "logger" | "now"> & MediaLinkDeps;

/** Where to resume: the Last-Event-ID header, else the lastEventId query parameter. */
export function resumeFrom(header: string | null, query: string | undefined): EventCursor | null {
  return EventCursor.parse(header) ?? EventCursor.parse(query);
}

/**
 * The visitor's stream of one of their conversations: team replies, status changes and typing,
 * only while a person is involved. 404 before any stream for another visitor's conversation.
 */
export async function visitorEvents(
  deps: StreamDeps,
  visitor: VisitorPrincipal,
  conversationId: string,
  resume: EventCursor | null,
): Promise<{ run(writer: SseWriter): void }> {
  const conversation = await findVisitorConversation(deps.db, visitor.siteId, visitor.visitorId, conversationId);
  if (!conversation) throw new AppError("not_found", "No such conversation.");
  // No person involved: the backlog (a reply and then the close, say) and the status, then the
  // stream ends, so no billed connection is held for the bot.
  const personInvolved = conversation.status === "waiting" || conversation.status === "human";
  const agentName = conversation.assigneeId ? await displayNameOf(deps, conversation.assigneeId) : null;
  const scope = { siteId: visitor.siteId, conversationId };
  const cursor = await startingPoint(deps, scope, resume);
  return {
    run: (writer) =>
      void runLiveStream(deps, writer, {
        scope,
        cursor,
        deliver: (event, id) => deliverToVisitor(deps, event, id, writer),
        afterBacklog: (w, id) => {
          if (personInvolved) return "continue";
          w.send("status", { status: conversation.status, agentName }, id);
          return "end";
        },
      }),
  };
}

function deliverToVisitor(deps: StreamDeps, event: LiveEvent, id: string, writer: SseWriter): Delivery {
  if (event.type === "message") {
    const parsed = VisitorStreamEvents.message.safeParse(event.data);
    // The visitor's own messages and the bot's answers reach them through their own requests.
    if (parsed.success && parsed.data.message.role === "agent") writer.send("message", parsed.data, id);
    else if (!parsed.success) misshapen(deps, event);
  } else if (event.type === "status") {
    const parsed = VisitorStreamEvents.status.safeParse(event.data);
    if (!parsed.success) return misshapen(deps, event);
    writer.send("status", parsed.data, id);
    if (parsed.data.status === "bot" || parsed.data.status === "closed") return "end";
  } else if (event.type === "typing") {
    const parsed = VisitorStreamEvents.typing.safeParse(event.data);
    if (!parsed.success) return misshapen(deps, event);
    if (deps.now() - event.createdAt <= TYPING_FRESH_MS) writer.send("typing", parsed.data, id);
  }
  return "continue";
}

/**
 * The team's stream of a site: its conversations' inbox rows and messages, for any member (role
 * agent or above). Access is read again every few seconds: a removed member's stream ends.
 */
export async function teamEvents(
  deps: StreamDeps,
  accountId: string,
  siteId: string,
  resume: EventCursor | null,
): Promise<{ run(writer: SseWriter): void }> {
  await siteAccess(deps, accountId, siteId, "agent");
  const scope = { siteId, conversationId: null };
  const cursor = await startingPoint(deps, scope, resume);
  return {
    run: (writer) =>
      void runLiveStream(deps, writer, {
        scope,
        cursor,
        deliver: async (event, id): Promise<Delivery> => {
          if (event.type === "conversation") {
            const parsed = TeamStreamEvents.conversation.safeParse(event.data);
            if (parsed.success) writer.send("conversation", parsed.data, id);
            else misshapen(deps, event);
          } else if (event.type === "message" && event.conversationId) {
            // The event names the message; the team sees it as stored now, in the owner's shape
            // (its seq, its author; a publisher needs to know only the visitor's shape).
            const messageId = (event.data.message as { id?: unknown } | undefined)?.id;
            const message = typeof messageId === "string" ? await ownerMessage(deps, siteId, event.conversationId, messageId) : null;
            if (message) writer.send("message", { conversationId: event.conversationId, message }, id);
          }
          return "continue";
        },
        checkEveryMs: ACCESS_CHECK_MS,
        stillAllowed: () =>
          siteAccess(deps, accountId, siteId, "agent").then(
            () => true,
            (err: unknown) => {
              if (err instanceof AppError) return false;
              throw err;
            },
          ),
      }),
  };
}

/** An event its publisher wrote in another shape than the contract's: skipped, and said in the log. */
function misshapen(deps: Pick<AppDeps, "logger">, event: LiveEvent): Delivery {
  deps.logger.error({ msg: "live event not of its shape", eventId: event.id, type: event.type });
  return "continue";
}

/** One message of the site's conversation in the owner's shape (OwnerMessage); null when it is not there (any more). */
async function ownerMessage(deps: MediaLinkDeps, siteId: string, conversationId: string, messageId: string) {
  const row = await deps.db
    .selectFrom("messages")
    .selectAll()
    .where("id", "=", messageId)
    .where("conversation_id", "=", conversationId)
    .where("site_id", "=", siteId)
    .executeTakeFirst();
  if (!row) return null;
  const attachments = await attachmentsOf(deps, [row]);
  return TeamStreamEvents.message.shape.message.parse(toOwnerMessage(messageOf(row), attachments.get(row.id)));
}
