import type { Generated } from "kysely";

/** Table types as kysely sees them. Times are epoch milliseconds (SQLite cannot bind Date). */

/** agent: written by a team member who took the conversation over (author_name says who) */
export type MessageRole = "user" | "assistant" | "agent";
/**
 * complete: whole answer; partial: upstream failed or was stopped half way, or its instance died
 * (the text up to its last checkpoint); refused: content moderation; error: no answer at all;
 * streaming: being written now.
 */
export type MessageStatus = "complete" | "partial" | "refused" | "error" | "streaming";
export type CallOutcome = "ok" | "error" | "refused" | "partial";

export interface OwnersTable {
  id: string;
  email: string;
  password_hash: string;
  created_at: number;
  /** null until the owner followed the link mailed to them */
  email_verified_at: number | null;
  /** sessions issued under an older version no longer count (logout, password change or reset) */
  session_version: number;
  /** the language of the owner's mail: "zh-CN" or "en"; null: zh-CN */
  language: string | null;
  /** null: the server's DEFAULT_PLAN */
  plan_id: string | null;
  /** set while the operator has suspended the owner (all their sites stop answering) */
  suspended_at: number | null;
  /** the name visitors see on the account's replies as a team member; null: the email's local part */
  display_name: string | null;
}

export interface SitesTable {
  id: string;
  owner_id: string;
  site_key: string;
  name: string;
  /** JSON array of origins */
  allowed_origins: string;
  /** JSON of BotSettings */
  bot: string;
  /** AES-256-GCM ciphertext of the site's own DashScope key, or null to use the server's */
  api_key_enc: string | null;
  api_key_last4: string | null;
  /** JSON of SiteLimits, or null for the defaults */
  limits: string | null;
  /** set while the operator has suspended the site */
  suspended_at: number | null;
  /** JSON of HandoffSettings, or null: visitors cannot ask for a person */
  handoff: string | null;
  /** JSON of MediaSettings, or null: no images, voice, read-aloud or drawing (docs/media.md) */
  media: string | null;
  created_at: number;
  updated_at: number;
}

export interface VisitorsTable {
  id: string;
  site_id: string;
  created_at: number;
  last_seen_at: number;
}

export interface ConversationsTable {
  id: string;
  site_id: string;
  visitor_id: string;
  title: string;
  /** also the last message's seq: bumped in the same transaction that inserts a message */
  message_count: number;
  created_at: number;
  updated_at: number;
  /** who answers: the bot, nobody yet (a person was asked for), a team member, or nobody (closed) */
  status: ConversationStatus;
  /** the team member handling it (site_members.account_id or the owner's id); null: anyone */
  assignee_id: string | null;
  /** when the visitor last asked for a person: the wait before they are offered to leave an email runs from here */
  handoff_at: number | null;
  /** the email the visitor left for the team to answer later (lead capture) */
  visitor_email: string | null;
  /** the last seq the team has read: the visitor's messages after it are unread */
  agent_read_seq: number;
}

export type ConversationStatus = "bot" | "waiting" | "human" | "closed";

export interface MessagesTable {
  id: string;
  conversation_id: string;
  site_id: string;
  seq: number;
  role: MessageRole;
  content: string;
  status: MessageStatus;
  error_code: string | null;
  model: string | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  latency_ms: number | null;
  ttft_ms: number | null;
  created_at: number;
  /** while streaming: when its instance last wrote it (the lease); null once it ended */
  checkpoint_at: number | null;
  /** JSON [{n, title, url, sourceId}]: the sources the answer cited, in citation order (n: its [n] in the text); null: none */
  sources: string | null;
  /** the visitor's rating of an answer; null: not rated (the last rating wins) */
  rating: Rating | null;
  /** the visitor's optional comment with the rating (≤ 500 characters) */
  rating_comment: string | null;
  rated_at: number | null;
  /** role agent: the team member who wrote it, and the name the visitor was shown */
  author_id: string | null;
  author_name: string | null;
}

export type Rating = "up" | "down";

export interface ApiCallsTable {
  id: string;
  site_id: string;
  conversation_id: string | null;
  message_id: string | null;
  model: string;
  attempt: number;
  outcome: CallOutcome;
  error_code: string | null;
  http_status: number | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  latency_ms: number;
  ttft_ms: number | null;
  upstream_request_id: string | null;
  created_at: number;
  /** what the call was: an answer (chat), speech recognition (asr), read-aloud (tts), a drawing (image) */
  kind: Generated<ApiCallKind>;
  /** what the kind bills by: seconds of audio (asr), characters (tts), images (image); null for chat (tokens) */
  units: number | null;
}

export type ApiCallKind = "chat" | "asr" | "tts" | "image";

/** docs/media.md: image (a visitor's photo), audio (a visitor's recording), generated (drawn for an answer) */
export type MediaKind = "image" | "audio" | "generated";
/** pending: created, bytes not (yet) checked; ready: checked and usable; failed: a drawing that did not come */
export type MediaStatus = "pending" | "ready" | "failed";

export interface MediaTable {
  id: string;
  site_id: string;
  conversation_id: string;
  visitor_id: string;
  /** the message it was sent with (image) or drawn for (generated); null until then, and for audio */
  message_id: string | null;
  kind: MediaKind;
  status: MediaStatus;
  /** sniffed from the bytes once ready (declared by the client until then) */
  media_type: string;
  size_bytes: number;
  width: number | null;
  height: number | null;
  duration_ms: number | null;
  /** the file store key: media/<siteId>/<id> */
  storage_key: string;
  /** generated: what the model asked Wanx to draw */
  prompt: string | null;
  /** generated: the Wanx task id, kept so a job can finish a drawing an instance left */
  task_id: string | null;
  error_code: string | null;
  created_at: number;
  updated_at: number;
  /** when the row and its bytes are deleted (MEDIA_RETENTION_DAYS after creation; an hour for one never completed) */
  expires_at: number;
}

export interface CountersTable {
  key: string;
  window_start: number;
  count: number;
  expires_at: number;
}

export interface ConfigsTable {
  key: string;
  value: string;
  updated_at: number;
}

export type OwnerTokenPurpose = "verify" | "reset";

/** A link mailed to an owner: single use, expiring; only the token's sha256 is kept. */
export interface OwnerTokensTable {
  token_hash: string;
  owner_id: string;
  purpose: OwnerTokenPurpose;
  created_at: number;
  expires_at: number;
  /** set when the link was followed: it never works again */
  used_at: number | null;
}

/** A session signed out on its own (logout), remembered until it would have expired. */
export interface RevokedSessionsTable {
  session_id: string;
  owner_id: string;
  expires_at: number;
}

/** An operator's invitation to sign up (sign-up mode "invite"): single use, expiring. */
export interface InvitationsTable {
  id: string;
  /** SHA-256 (hex) of the token in the link; the token itself is never stored */
  token_hash: string;
  email: string | null;
  /** the operator who made it */
  created_by: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  /** the owner who signed up with it */
  used_by: string | null;
}

export type JobState = "queued" | "running" | "done" | "failed";

/** Work that outlives a request (jobs/): leased by one instance at a time, advanced in steps. */
export interface JobsTable {
  id: string;
  kind: string;
  site_id: string | null;
  /** JSON: what the job is about, fixed when queued */
  payload: string;
  /** JSON: where the last finished step left off; null before the first */
  progress: string | null;
  state: JobState;
  attempts: number;
  /** not claimed before this time (a retry's back-off) */
  run_after: number;
  /** a running job whose lease has passed is taken as abandoned (its instance froze or died) */
  lease_until: number | null;
  leased_by: string | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

export type KnowledgeKind = "file" | "url" | "text" | "faq";
export type KnowledgeStatus = "queued" | "processing" | "ready" | "failed";

export interface KnowledgeSourcesTable {
  id: string;
  site_id: string;
  kind: KnowledgeKind;
  title: string;
  url: string | null;
  status: KnowledgeStatus;
  error_code: string | null;
  error_message: string | null;
  chunks: number;
  bytes: number;
  /** the original in file storage (files/), deleted with the source */
  file_key: string | null;
  media_type: string | null;
  /** JSON: the kind's own settings (a crawl's maxPages, …) */
  options: string | null;
  created_at: number;
  updated_at: number;
}

export interface KnowledgeChunksTable {
  id: string;
  site_id: string;
  source_id: string;
  position: number;
  /** the headings above the chunk, joined: its place in the document */
  heading: string;
  text: string;
  tokens: number;
  /** float32 little-endian; null until embedded */
  embedding: Uint8Array | null;
  created_at: number;
}

export type SiteRole = "owner" | "admin" | "agent";
/** the roles a site's member may have (the owner is sites.owner_id, never a row here) */
export type MemberRole = Exclude<SiteRole, "owner">;

/** An account's access to another owner's site (features/members). */
export interface SiteMembersTable {
  site_id: string;
  /** owners.id of the member's own account */
  account_id: string;
  role: MemberRole;
  created_at: number;
}

/** An invitation by email to join a site's team: single use, expiring; only the token's sha256 is kept. */
export interface SiteInvitationsTable {
  id: string;
  site_id: string;
  email: string;
  role: MemberRole;
  token_hash: string;
  invited_by: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  used_by: string | null;
}

export interface WebhooksTable {
  id: string;
  site_id: string;
  url: string;
  /** JSON array of event types */
  events: string;
  /** the signing secret, sealed with the keyring (it must be read back to sign) */
  secret_enc: string;
  /** 1 or 0 */
  enabled: number;
  created_at: number;
  updated_at: number;
}

export type DeliveryState = "pending" | "delivered" | "failed";

/** One event sent to one webhook: retried through the job queue until delivered or a day has passed. */
export interface WebhookDeliveriesTable {
  id: string;
  webhook_id: string;
  site_id: string;
  /** the same for every webhook the event went to: receivers deduplicate by it */
  event_id: string;
  event_type: string;
  /** the exact JSON body sent (the signature covers these bytes) */
  payload: string;
  state: DeliveryState;
  attempts: number;
  created_at: number;
  updated_at: number;
}

export interface WebhookAttemptsTable {
  id: string;
  delivery_id: string;
  webhook_id: string;
  site_id: string;
  attempt: number;
  /** the receiver's HTTP status; null: no answer (refused, timed out, blocked by the outbound guard) */
  status_code: number | null;
  latency_ms: number;
  error: string | null;
  created_at: number;
}

/** A live event (live/): what the visitor's and the team's streams send, in id order. */
export interface SiteEventsTable {
  /** auto-increment: a stream resumes after the last id it saw (Last-Event-ID) */
  id: Generated<number>;
  site_id: string;
  /** null: about the site, not one conversation */
  conversation_id: string | null;
  type: string;
  /** JSON */
  data: string;
  created_at: number;
}

export interface Database {
  owners: OwnersTable;
  sites: SitesTable;
  visitors: VisitorsTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  api_calls: ApiCallsTable;
  configs: ConfigsTable;
  counters: CountersTable;
  owner_tokens: OwnerTokensTable;
  revoked_sessions: RevokedSessionsTable;
  invitations: InvitationsTable;
  jobs: JobsTable;
  knowledge_sources: KnowledgeSourcesTable;
  knowledge_chunks: KnowledgeChunksTable;
  site_members: SiteMembersTable;
  site_invitations: SiteInvitationsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  site_events: SiteEventsTable;
  media: MediaTable;
}
