import { z } from "zod";
import { MediaView } from "../media/media.schemas.js";
import { IdParam } from "../../http/route.js";
import { CitedSources, MessageRoleSchema, MessageStatusSchema } from "../chat/chat.schemas.js";
import { FeedbackSchema, RatingSchema } from "../feedback/feedback.schemas.js";

export const SiteConversationParams = z.object({ siteId: IdParam, conversationId: IdParam });

const DateBound = z.iso.datetime({ offset: true }).or(z.iso.date());

export const ConversationQuery = z.object({
  q: z.string().trim().max(200).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  from: DateBound.optional(),
  to: DateBound.optional(),
  /** only conversations with at least one answer the visitor rated so (`down`: the answers to look at) */
  rating: RatingSchema.optional(),
  /** open: waiting or human (docs/people.md "Team routes") */
  status: z.enum(["waiting", "human", "open", "closed"]).optional(),
});
export type ConversationQuery = z.infer<typeof ConversationQuery>;

export const OwnerConversation = z.object({
  id: z.string(),
  visitorId: z.string(),
  title: z.string(),
  messageCount: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** its answers the visitor rated 👍 and 👎, and the comments given with them, oldest first */
  ratedUp: z.number(),
  ratedDown: z.number(),
  ratingComments: z.array(z.string()),
  /** who answers: bot, waiting (the visitor asked for a person), human, closed */
  status: z.enum(["bot", "waiting", "human", "closed"]),
  /** the team member handling it, and their display name; null: nobody yet */
  assigneeId: z.string().nullable(),
  assigneeName: z.string().nullable(),
  /** the email the visitor left for the team; null: none */
  visitorEmail: z.string().nullable(),
  /** the visitor's messages since the team last opened it */
  unread: z.number(),
});

export const OwnerMessage = z.object({
  id: z.string(),
  seq: z.number(),
  role: MessageRoleSchema,
  /** role agent: the team member's display name; null otherwise */
  authorName: z.string().nullable(),
  content: z.string(),
  status: MessageStatusSchema,
  errorCode: z.string().nullable(),
  model: z.string().nullable(),
  promptTokens: z.number().nullable(),
  completionTokens: z.number().nullable(),
  latencyMs: z.number().nullable(),
  ttftMs: z.number().nullable(),
  createdAt: z.string(),
  /** the sources the answer cited, in order of first citation; [] for none */
  sources: CitedSources,
  /** the visitor's rating of the answer and their comment; null: not rated */
  feedback: FeedbackSchema.nullable(),
  /**
   * a visitor's pictures, an answer's drawings (docs/media.md "Messages with pictures"); [] for
   * none, and for a live event stored before pictures existed
   */
  attachments: z.array(MediaView).default([]),
});

export const ConversationPage = z.object({
  conversations: z.array(OwnerConversation),
  nextCursor: z.string().nullable(),
});

export const ConversationDetail = z.object({
  conversation: OwnerConversation,
  messages: z.array(OwnerMessage),
});
