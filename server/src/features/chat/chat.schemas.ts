import { z } from "zod";
import { IdParam } from "../../http/route.js";
import { MAX_MESSAGE_CHARS, MAX_MESSAGE_TOKENS, TOO_LONG_MESSAGE } from "../../shared/message-limits.js";
import { tokenBound } from "../../shared/token-bound.js";
import { FeedbackSchema } from "../feedback/feedback.schemas.js";
import { ImageEvent, MAX_ATTACHMENTS, MediaView } from "../media/media.schemas.js";
import { CHAT_ERROR_CODES } from "./chat.messages.js";

export const ConversationParams = z.object({ conversationId: IdParam });

export const PostMessageBody = z
  .object({
    content: z
      .string()
      .trim()
      .max(MAX_MESSAGE_CHARS, TOO_LONG_MESSAGE)
      // What the model is billed for: the same bound as the history's budget and the quota's reservation.
      .refine((content) => tokenBound(content) <= MAX_MESSAGE_TOKENS, TOO_LONG_MESSAGE),
    /** uploaded pictures sent with the message (docs/media.md "Messages with pictures") */
    attachments: z.array(IdParam).max(MAX_ATTACHMENTS, `Send at most ${MAX_ATTACHMENTS} pictures at once.`).default([]),
  })
  // A picture may go without words; nothing at all may not.
  .refine((body) => body.content !== "" || body.attachments.length > 0, { message: "Write a message first.", path: ["content"] });

export const RetryBody = z.object({ userMessageId: IdParam });

/** How an answer ended (the stream's last event says it). */
export const AnswerStatusSchema = z.enum(["complete", "partial", "refused", "error"]);
/** A stored message's status: also `streaming` while its answer is being written. */
export const MessageStatusSchema = z.enum([...AnswerStatusSchema.options, "streaming"]);

/** A source the answer cited: `n` is its number in the answer's text (`[n]`); url null: a source without a page. */
export const CitedSourceSchema = z.object({
  n: z.number().int(),
  title: z.string(),
  url: z.string().nullable(),
  sourceId: z.string().nullable(),
});
/** The sources an answer cited, in order of first citation; [] when it cited none. */
export const CitedSources = z.array(CitedSourceSchema);

export const VisitorConversation = z.object({
  id: z.string(),
  title: z.string(),
  messageCount: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** agent: written by a person of the site's team (authorName), after the conversation was handed over */
export const MessageRoleSchema = z.enum(["user", "assistant", "agent"]);

export const VisitorMessage = z.object({
  id: z.string(),
  role: MessageRoleSchema,
  /** role agent: the team member's display name; null otherwise */
  authorName: z.string().nullable(),
  content: z.string(),
  status: MessageStatusSchema,
  createdAt: z.string(),
  sources: CitedSources,
  /** the visitor's rating of an answer, so a reload shows it pressed; null: not rated (always null for the visitor's own messages) */
  feedback: FeedbackSchema.nullable(),
  /** the pictures sent with a visitor's message, the drawings of an answer (docs/media.md); [] when none */
  attachments: z.array(MediaView),
});

export const ConversationResponse = z.object({ conversation: VisitorConversation });
export const ConversationListResponse = z.object({ conversations: z.array(VisitorConversation) });
/** status: who answers the conversation now (docs/people.md "Conversation status") */
export const ConversationStatusSchema = z.enum(["bot", "waiting", "human", "closed"]);
export const MessageListResponse = z.object({ messages: z.array(VisitorMessage), status: ConversationStatusSchema });

/** The events of the answer stream, documented in /api/openapi.json. */
export const StreamEvents = {
  start: z.object({ conversationId: z.string(), userMessageId: z.string() }),
  delta: z.object({ text: z.string() }),
  done: z.object({
    messageId: z.string(),
    status: AnswerStatusSchema,
    usage: z.object({ promptTokens: z.number(), completionTokens: z.number() }).nullable(),
    sources: CitedSources,
    /** true: the answer offers a person (handoff is on and the bot cannot help, or was asked for one) */
    offerHandoff: z.boolean().optional(),
  }),
  /** a drawing's progress, between deltas and done (docs/media.md "The bot draws") */
  image: ImageEvent,
  /** instead of start … done while a person is involved: the message went to the team (docs/people.md) */
  handoff: z.object({ userMessageId: z.string(), status: z.enum(["waiting", "human"]) }),
  error: z.object({
    code: z.enum(CHAT_ERROR_CODES),
    message: z.string(),
    messageId: z.string().nullable(),
    status: AnswerStatusSchema,
    /** what the text so far cited (a partial answer) */
    sources: CitedSources,
  }),
};

/** Each stream event's data, as the route writes it and the widget reads it. */
export type StreamEventData = { [E in keyof typeof StreamEvents]: z.infer<(typeof StreamEvents)[E]> };

/** Where an answer's events go: the route turns them into text/event-stream; the service never sees HTTP. */
export interface AnswerSink {
  send<E extends keyof StreamEventData>(event: E, data: StreamEventData[E]): void;
  close(): void;
}
