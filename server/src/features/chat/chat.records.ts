import type {
  ApiCallKind,
  CallOutcome,
  ConversationStatus,
  ConversationsTable,
  MessageRole,
  MessageStatus,
  MessagesTable,
  Rating,
} from "../../db/schema.js";

// Conversations and messages as the services see them: the chat and conversations repositories
// map rows to these (and back), so nothing above a repository handles a table row.

/** A visitor's conversation. */
export interface ConversationRecord {
  id: string;
  siteId: string;
  visitorId: string;
  title: string;
  messageCount: number;
  createdAt: number;
  updatedAt: number;
  /** who answers: bot, waiting (a person was asked for), human, closed */
  status: ConversationStatus;
  /** the team member handling it; null: anyone */
  assigneeId: string | null;
  /** when the visitor last asked for a person */
  handoffAt: number | null;
  /** the email the visitor left for the team */
  visitorEmail: string | null;
  /** the last seq the team has read */
  agentReadSeq: number;
}

export interface MessageRecord {
  id: string;
  conversationId: string;
  siteId: string;
  /** the message's place in its conversation, from 1 */
  seq: number;
  role: MessageRole;
  content: string;
  status: MessageStatus;
  /** upstream's error code, or ours, when the answer failed */
  errorCode: string | null;
  model: string | null;
  promptTokens: number | null;
  completionTokens: number | null;
  latencyMs: number | null;
  ttftMs: number | null;
  createdAt: number;
  /** while streaming: when its instance last wrote it (the lease) */
  checkpointAt: number | null;
  /** what the answer cited, in citation order; null: nothing */
  sources: CitedSource[] | null;
  /** the visitor's rating of an answer (the last one given); null: not rated */
  feedback: Feedback | null;
  /** role agent: the team member who wrote it; null for the visitor's and the bot's messages */
  author: MessageAuthor | null;
}

export interface MessageAuthor {
  /** the member's account id */
  id: string;
  /** the name the visitor is shown */
  name: string;
}

/** A visitor's rating of an answer, with the comment they may add to "down". */
export interface Feedback {
  rating: Rating;
  comment: string | null;
}

/** A source an answer cited: a knowledge source of the site, or a Bailian application's document. */
export interface AnswerSource {
  title: string;
  url: string | null;
  /** the site's knowledge source; null for an application's document */
  sourceId: string | null;
}

/** A source as its answer cited it: `n` is the number the answer's text uses, `[n]`. */
export type CitedSource = AnswerSource & { n: number };

/** A message as first written: not rated yet. */
export type NewMessage = Omit<MessageRecord, "seq" | "feedback" | "author"> & { author?: MessageAuthor | null };

/** A message a person wrote (the visitor's question, a team member's reply): complete as written, nothing upstream about it. */
export function writtenMessage(
  m: Pick<NewMessage, "id" | "conversationId" | "siteId" | "role" | "content" | "createdAt"> & { author?: MessageAuthor },
): NewMessage {
  return {
    ...m,
    status: "complete",
    errorCode: null,
    model: null,
    promptTokens: null,
    completionTokens: null,
    latencyMs: null,
    ttftMs: null,
    checkpointAt: null,
    sources: null,
  };
}

/** One upstream attempt (or a call that could not be made), for api_calls. */
export interface ApiCallRecord {
  id: string;
  siteId: string;
  conversationId: string | null;
  messageId: string | null;
  model: string;
  attempt: number;
  outcome: CallOutcome;
  errorCode: string | null;
  httpStatus: number | null;
  promptTokens: number | null;
  completionTokens: number | null;
  latencyMs: number;
  ttftMs: number | null;
  upstreamRequestId: string | null;
  createdAt: number;
  /** default chat; asr/tts/image calls say so, with what they bill by in `units` (docs/media.md) */
  kind?: ApiCallKind;
  /** seconds of audio (asr), characters (tts), images (image) */
  units?: number | null;
}

export const conversationOf = (row: ConversationsTable): ConversationRecord => ({
  id: row.id,
  siteId: row.site_id,
  visitorId: row.visitor_id,
  title: row.title,
  messageCount: row.message_count,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  status: row.status,
  assigneeId: row.assignee_id,
  handoffAt: row.handoff_at,
  visitorEmail: row.visitor_email,
  agentReadSeq: row.agent_read_seq,
});

export const messageOf = (row: MessagesTable): MessageRecord => ({
  id: row.id,
  conversationId: row.conversation_id,
  siteId: row.site_id,
  seq: row.seq,
  role: row.role,
  content: row.content,
  status: row.status,
  errorCode: row.error_code,
  model: row.model,
  promptTokens: row.prompt_tokens,
  completionTokens: row.completion_tokens,
  latencyMs: row.latency_ms,
  ttftMs: row.ttft_ms,
  createdAt: row.created_at,
  checkpointAt: row.checkpoint_at,
  sources: row.sources === null ? null : sourcesOf(row.sources),
  feedback: row.rating === null ? null : { rating: row.rating, comment: row.rating_comment },
  author: row.author_id === null ? null : { id: row.author_id, name: row.author_name ?? "" },
});

/**
 * Stored JSON, tolerant: a row that cannot be read shows no sources rather than failing the
 * transcript, an entry of the wrong shape is left out, and one without its number (written before
 * numbers were kept) takes its place in the list.
 */
function sourcesOf(json: string): CitedSource[] | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed)) return null;
  const text = (v: unknown) => (typeof v === "string" ? v : null);
  return parsed.flatMap((s: Record<string, unknown> | null, i): CitedSource[] =>
    s && typeof s === "object" && typeof s.title === "string"
      ? [{ n: Number.isSafeInteger(s.n) ? (s.n as number) : i + 1, title: s.title, url: text(s.url), sourceId: text(s.sourceId) }]
      : [],
  );
}
