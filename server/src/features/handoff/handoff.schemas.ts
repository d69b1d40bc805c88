import { z } from "zod";
import { MAX_MESSAGE_CHARS, TOO_LONG_MESSAGE } from "../../shared/message-limits.js";
import { OwnerConversation, OwnerMessage } from "../conversations/conversations.schemas.js";

export const HandoffBody = z
  .object({
    /** why the visitor asks (the widget's button sends none); passed on to the team's webhook */
    reason: z.string().trim().max(500).optional(),
  })
  .strict();

export const HandoffResponse = z.object({
  conversation: z.object({ id: z.string(), status: z.enum(["bot", "waiting", "human", "closed"]) }),
  /** false: outside office hours, the widget asks for an email at once */
  online: z.boolean(),
  /** how long the widget waits for a person before offering to leave an email */
  waitSeconds: z.number(),
});

export const LeadBody = z.object({ email: z.email("Enter an email address such as name@example.com.").trim().max(254) }).strict();
export const OkResponse = z.object({ ok: z.literal(true) });

export const AgentMessageBody = z
  .object({
    content: z.string().trim().min(1, "Write a message first.").max(MAX_MESSAGE_CHARS, TOO_LONG_MESSAGE),
  })
  .strict();
export const AgentMessageResponse = z.object({ message: OwnerMessage });

export const ConversationPatch = z
  .object({
    status: z.enum(["bot", "waiting", "human", "closed"]),
    /** an account of the site's team (its owner or a member); null: nobody */
    assigneeId: z.union([z.string().min(3).max(64), z.null()]),
  })
  .partial()
  .strict();
export type ConversationPatch = z.infer<typeof ConversationPatch>;

export const InboxConversationResponse = z.object({ conversation: OwnerConversation });
