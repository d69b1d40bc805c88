import type { AppDeps } from "../../deps.js";
import { AppError } from "../../errors.js";
import type { VisitorContext } from "../../http/route.js";
import { admitVisitorMessage } from "../../security/limits.js";
import { findVisitorConversation } from "../chat/chat.repository.js";
import type { ConversationRecord } from "../chat/chat.records.js";
import type { SiteRecord } from "../sites/site-record.js";
import { emitWebhook } from "../webhooks/emit.js";
import { teamOfSite, updateConversation } from "./handoff.repository.js";
import { leadMail } from "./lead-mail.js";
import { publishRow, publishStatus } from "./live-rows.js";
import { withinOfficeHours } from "./office-hours.js";

type Deps = AppDeps;

/** The visitor's own conversation on a site that hands over to a person; counted like a message first, found or not. */
async function handoffConversation(deps: Deps, { visitor, site }: VisitorContext, conversationId: string): Promise<ConversationRecord> {
  await admitVisitorMessage(deps.counters, site.limits, visitor.visitorId, deps.now());
  const conversation = await findVisitorConversation(deps.db, visitor.siteId, visitor.visitorId, conversationId);
  if (!conversation) throw new AppError("not_found", "No such conversation.");
  if (!site.handoff.enabled) throw new AppError("handoff_unavailable");
  return conversation;
}

/** Whether someone of the team is there now, by the site's office hours. */
export function teamOnline(site: Pick<SiteRecord, "handoff">, now: number): boolean {
  return withinOfficeHours(now, site.handoff.timeZone, site.handoff.officeHours);
}

/**
 * The visitor asks for a person: the conversation waits for the team (the inbox rings on the
 * `conversation` event), and the bot stops answering it. Asking again while waiting or while a
 * person answers changes nothing but the time of asking.
 */
export async function requestHandoff(deps: Deps, ctx: VisitorContext, conversationId: string, reason: string | undefined) {
  const conversation = await handoffConversation(deps, ctx, conversationId);
  const { site } = ctx;
  const now = deps.now();
  const status = conversation.status === "human" ? "human" : "waiting";
  await updateConversation(deps.db, site.id, conversation.id, { status, handoffAt: now });
  if (status !== conversation.status) await publishStatus(deps, { ...conversation, status }, null);
  await publishRow(deps, site.id, conversation.id);
  const online = teamOnline(site, now);
  await emitWebhook(deps, site.id, "handoff.requested", {
    conversationId: conversation.id,
    visitorId: conversation.visitorId,
    reason: reason || null,
    online,
  });
  return { conversation: { id: conversation.id, status }, online, waitSeconds: site.handoff.waitSeconds };
}

/**
 * The visitor leaves an email for the team (outside office hours, or after the wait): stored with
 * the conversation, shown in the inbox, sent to the webhooks and mailed to the site's team.
 */
export async function leaveEmail(deps: Deps, ctx: VisitorContext, conversationId: string, email: string): Promise<{ ok: true }> {
  const conversation = await handoffConversation(deps, ctx, conversationId);
  const { site } = ctx;
  await updateConversation(deps.db, site.id, conversation.id, { visitorEmail: email });
  await publishRow(deps, site.id, conversation.id);
  await emitWebhook(deps, site.id, "lead.captured", { conversationId: conversation.id, visitorId: conversation.visitorId, email });
  mailTeam(deps, site, conversation, email);
  return { ok: true };
}

/** In the background: the visitor is not kept waiting for mail, and one failed address does not stop the others. */
function mailTeam(deps: Deps, site: SiteRecord, conversation: ConversationRecord, visitorEmail: string): void {
  deps.tasks.run(async () => {
    const link = `${deps.config.publicUrl}/dashboard/sites/${site.id}/conversations/${conversation.id}`;
    try {
      for (const member of await teamOfSite(deps.db, site.id)) {
        await deps.mailer
          .send(
            leadMail({ to: member.email, language: member.language, siteName: site.name, visitorEmail, title: conversation.title, link }),
          )
          .catch((err) =>
            deps.logger.error({ msg: "lead mail not sent", siteId: site.id, code: (err as { code?: string } | null)?.code ?? null }),
          );
      }
    } catch (err) {
      deps.logger.error({ msg: "lead mail not sent", siteId: site.id, code: (err as { code?: string } | null)?.code ?? null });
    }
  });
}
