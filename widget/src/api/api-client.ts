import type {
  CitedSource,
  ConversationAnswer,
  ConversationStatus,
  ImageEventData,
  MessageList,
  MessageStatus,
  Rating,
  Session,
  StreamEvent,
  StreamEventData,
} from "../shared/contract.js";
import { warnOriginRefused } from "../shared/warn.js";
import { ApiError, abortError, isAbort, toApiError } from "./api-error.js";
import { type SessionStore, createSessionStore } from "./session-store.js";
import { readSse } from "./sse-reader.js";

export interface ApiClientOptions {
  /** the API origin, e.g. https://chat.example.com */
  api: string;
  siteKey: string;
  fetch?: typeof fetch;
  store?: SessionStore;
}

export interface SendCallbacks {
  signal?: AbortSignal;
  onStart?(info: { userMessageId: string }): void;
  onDelta?(text: string): void;
  onImage?(image: ImageEventData): void;
}

/** How an answer ended: `done`, or an `error` event (its message already in the bot's language). */
export interface SendOutcome {
  status: MessageStatus;
  messageId: string | null;
  error: Pick<StreamEventData["error"], "code" | "message"> | null;
  /** what the answer cited ([] from a server that sends none) */
  sources: CitedSource[];
  /** done's offerHandoff: the bot offers a person */
  offer?: boolean;
  /** a person handles the conversation: the message was stored and no answer follows */
  handoff?: ConversationStatus;
}

export type ApiClient = ReturnType<typeof createApiClient>;

/**
 * The widget's side of the widget API: a visitor token kept per site key (renewed once on 401,
 * presenting the old token so the visitor stays the same), the current conversation, and the
 * answer stream.
 */
export function createApiClient(options: ApiClientOptions) {
  const api = options.api.replace(/\/+$/, "");
  const store = options.store ?? createSessionStore(options.siteKey);
  // Looked up per call: pages and tests may replace fetch after the widget loaded.
  const doFetch: typeof fetch = (input, init) => (options.fetch ?? fetch)(input, init);
  let session: Promise<string> | null = null;
  let warned = false;

  async function call(path: string, init: RequestInit): Promise<Response> {
    let res: Response;
    try {
      res = await doFetch(api + path, init);
    } catch (err) {
      throw isAbort(err) ? err : new ApiError("network");
    }
    if (res.ok) return res;
    const error = await toApiError(res);
    if (error.code === "origin_not_allowed" && !warned) {
      warned = true;
      warnOriginRefused(options.siteKey);
    }
    throw error;
  }

  /** A new session; with the old token the server keeps the same visitor while it can. */
  function startSession(previous?: string): Promise<string> {
    session ??= (async () => {
      const res = await call(`/v1/widget/${encodeURIComponent(options.siteKey)}/sessions`, {
        method: "POST",
        headers: previous ? { authorization: `Bearer ${previous}` } : {},
      });
      const { token }: Session = await res.json();
      store.write({ token });
      return token;
    })().finally(() => {
      session = null;
    });
    return session;
  }

  async function authed(
    method: string,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
    extra?: Record<string, string>,
  ): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const token = store.read().token ?? (await startSession());
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (body !== undefined) headers["content-type"] = "application/json";
      try {
        // A Blob (an upload's bytes) goes as it is, typed by `extra`; anything else as JSON.
        return await call(path, {
          method,
          headers: { ...headers, ...extra },
          body: body instanceof Blob ? body : JSON.stringify(body),
          signal,
        });
      } catch (err) {
        if (!(err instanceof ApiError && err.code === "unauthorized" && attempt === 0)) throw err;
        await startSession(token);
      }
    }
  }

  return {
    conversationId: (): string | null => store.read().conversationId ?? null,
    setConversationId(id: string | null): void {
      store.write({ conversationId: id ?? undefined });
    },

    /** The conversation's messages and its status (handoff). */
    async listMessages(conversationId: string, signal?: AbortSignal): Promise<MessageList> {
      const res = await authed("GET", `/v1/conversations/${encodeURIComponent(conversationId)}/messages`, undefined, signal);
      return res.json();
    },

    /** Any call of the visitor's (the handoff chunk's routes); throws ApiError. */
    authed,

    async createConversation(signal?: AbortSignal): Promise<string> {
      const res = await authed("POST", "/v1/conversations", undefined, signal);
      const { conversation }: ConversationAnswer = await res.json();
      store.write({ conversationId: conversation.id });
      return conversation.id;
    },

    /** Rates an answer (the last rating wins); throws ApiError. */
    async rate(messageId: string, rating: Rating, comment?: string): Promise<void> {
      await authed("POST", `/v1/messages/${encodeURIComponent(messageId)}/feedback`, { rating, comment });
    },

    /** Posts a message (with the ids of its uploaded pictures) and reads its answer stream; throws ApiError, or an AbortError when stopped. */
    send(conversationId: string, content: string, cb: SendCallbacks = {}, attachments: string[] = []): Promise<SendOutcome> {
      return answerStream(
        `/v1/conversations/${encodeURIComponent(conversationId)}/messages`,
        { content, attachments: attachments.length ? attachments : undefined },
        cb,
      );
    },

    /** Asks again for the answer to the latest (already stored) message: the same stream as send. */
    retry(conversationId: string, userMessageId: string, cb: SendCallbacks = {}): Promise<SendOutcome> {
      return answerStream(`/v1/conversations/${encodeURIComponent(conversationId)}/retry`, { userMessageId }, cb);
    },
  };

  async function answerStream(path: string, request: unknown, cb: SendCallbacks): Promise<SendOutcome> {
    const { signal } = cb;
    const res = await authed("POST", path, request, signal);
    if (!res.body) throw new ApiError("stream_interrupted");
    // Some fetch implementations keep a body readable after abort; cancelling it ends the read.
    const body = res.body;
    const onAbort = () => void body.cancel().catch(() => {});
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      for await (const { event, data } of readSse(body)) {
        if (signal?.aborted) break;
        let e: StreamEvent;
        try {
          // The server's StreamEvents are the contract (its tests hold every event to them).
          e = { event, data: JSON.parse(data) } as StreamEvent;
        } catch {
          continue;
        }
        if (e.event === "start") cb.onStart?.(e.data);
        else if (e.event === "delta") cb.onDelta?.(e.data.text);
        else if (e.event === "image") cb.onImage?.(e.data);
        else if (e.event === "done")
          return {
            status: e.data.status,
            messageId: e.data.messageId,
            error: null,
            sources: e.data.sources || [],
            offer: e.data.offerHandoff,
          };
        else if (e.event === "handoff") {
          cb.onStart?.(e.data);
          return { status: "complete", messageId: null, error: null, sources: [], handoff: e.data.status };
        } else if (e.event === "error") {
          const { status, messageId, code, message, sources } = e.data;
          return { status, messageId, error: { code, message }, sources: sources || [] };
        }
      }
    } catch (err) {
      if (signal?.aborted || isAbort(err)) throw abortError();
      throw new ApiError("stream_interrupted");
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
    if (signal?.aborted) throw abortError();
    throw new ApiError("stream_interrupted");
  }
}
