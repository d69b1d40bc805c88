/** Table types as kysely sees them. Times are epoch milliseconds (SQLite cannot bind Date). */

export type MessageRole = "user" | "assistant";
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
}

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
}
