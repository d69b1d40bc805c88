import type { AppDeps } from "../../deps.js";
import { AppError } from "../../errors.js";
import type { VisitorContext } from "../../http/route.js";
import { admitVisitorMessage } from "../../security/limits.js";
import type { Feedback } from "../chat/chat.records.js";
import { findVisitorMessage, rateMessage } from "./feedback.repository.js";
import { emitWebhook } from "../webhooks/emit.js";
import { feedbackCreated } from "../webhooks/event-data.js";

/**
 * The visitor rates one of their own answers. Counted in the visitor's per-minute message window
 * first, found or not, so a script probing or flooding ratings is stopped like one flooding
 * messages. Only an answer with text can be rated: one still streaming may yet change.
 */
export async function rateAnswer(
  deps: AppDeps,
  { visitor, site }: VisitorContext,
  messageId: string,
  input: { rating: Feedback["rating"]; comment?: string },
): Promise<Feedback> {
  const now = deps.now();
  await admitVisitorMessage(deps.counters, site.limits, visitor.visitorId, now);
  const message = await findVisitorMessage(deps.db, visitor.siteId, visitor.visitorId, messageId);
  if (!message || message.role !== "assistant") throw new AppError("not_found", "No such answer.");
  if (message.status === "streaming" || !message.hasContent) {
    throw new AppError("answer_not_ready", "This answer is still being written or has no text yet: rate it once it is there.");
  }
  const feedback: Feedback = { rating: input.rating, comment: input.comment || null };
  await rateMessage(deps.db, visitor.siteId, messageId, feedback, now);
  await emitWebhook(deps, visitor.siteId, "feedback.created", feedbackCreated(visitor.visitorId, messageId, feedback));
  return feedback;
}
