import { type Signal, batch, signal } from "@preact/signals";
import type { ApiClient } from "../api/api-client.js";
import { ApiError, type ApiErrorCode, isAbort } from "../api/api-error.js";
import type {
  Attachment,
  ChatErrorCode,
  CitedSource,
  ConversationStatus,
  HandoffUi,
  MediaUi,
  MediaView,
  MessageEventDetail,
  MessageStatus,
  Rating,
  WidgetEventType,
} from "../shared/contract.js";
import { MAX_MESSAGE_CHARS, MAX_MESSAGE_TOKENS } from "../../../server/src/shared/message-limits.js";
import { tokenBound } from "../../../server/src/shared/token-bound.js";
import type { Strings } from "../strings.js";

export type ViewStatus = MessageStatus | "streaming" | "stopped";

/** How often a reloaded conversation whose last answer is still being written is read again. */
const HISTORY_POLL_MS = 2_000;

/**
 * Whether asking again may mend an answer that failed, by the stream's error code (the server's
 * closed set). The sentence the visitor reads comes translated from the server. Only the codes
 * where asking again cannot help are listed (moderation refused the question; the site's key
 * needs its owner first): every other code, and an unknown one (a newer server), offers the retry.
 */
const FINAL: readonly string[] = ["answer_refused", "site_key_unusable"] satisfies ChatErrorCode[];
/** The codes that do offer the retry. With FINAL they must be every code: a new one is a type error until decided here. */
type Retried =
  | "upstream_rate_limited"
  | "upstream_unavailable"
  | "upstream_timeout"
  | "answer_interrupted"
  | "answer_not_saved"
  | "assistant_unavailable";
type Undecided = Exclude<ChatErrorCode, Retried | "answer_refused" | "site_key_unusable">;
/** Compiles only while Undecided is empty. */
const everyCodeDecided: [Undecided] extends [never] ? true : never = true;
void everyCodeDecided;

export interface ViewMessage {
  key: number;
  id: string | null;
  /** agent: a person of the site's team */
  role: "user" | "assistant" | "agent";
  /** signals per message: a streamed delta re-renders that bubble only */
  text: Signal<string>;
  status: Signal<ViewStatus>;
  /** what an answer cited; known when it ends (the stream's last event, or the history) */
  sources: Signal<CitedSource[]>;
  /** the visitor's rating of an answer (from the history after a reload) */
  rating: Signal<Rating | null>;
  /** the pictures of a visitor's message; an answer's drawings (the history's, or the stream's image events as they came) */
  att: Signal<Attachment[]>;
  /** role agent: the person's name */
  name?: string | null;
  /** the answer offered a person (done's offerHandoff) */
  offer?: boolean;
}

/** "loading": the history; "waiting": for the answer's first text; "streaming": text arriving. */
export type Phase = "idle" | "loading" | "waiting" | "streaming";

export interface ViewError {
  text: string;
  retry: (() => void) | null;
}

export interface ChatStoreDeps {
  client: ApiClient;
  strings: Strings;
  siteKey: string;
  emit(type: WidgetEventType, detail?: MessageEventDetail): void;
}

export type ChatStore = ReturnType<typeof createChatStore>;

/**
 * The conversation as the visitor sees it, and every action on it. Independent of the DOM: the
 * components render these signals and call these functions.
 */
export function createChatStore({ client, strings, siteKey, emit }: ChatStoreDeps) {
  const open = signal(false);
  const messages = signal<ViewMessage[]>([]);
  const phase = signal<Phase>("idle");
  const error = signal<ViewError | null>(null);
  /** bumped on every visible change of the log, so the list can keep the newest text in view */
  const changes = signal(0);
  /** the conversation's handoff status (docs/people.md), from the history and the answer stream */
  const status = signal<ConversationStatus>("bot");
  /** the handoff chunk's controls, once loaded */
  const handoff = signal<HandoffUi | null>(null);
  /** the media chunk's controls, once loaded */
  const media = signal<MediaUi | null>(null);
  /** the composer's text (the media chunk puts a recognised recording there) */
  const draft = signal("");
  /** uploaded pictures that go with the next message (put there by the media chunk) */
  const pending = signal<MediaView[]>([]);
  let nextKey = 1;
  let historyFor: string | null = null;
  let controller: AbortController | null = null;
  // Bumped by newConversation: answers and history of the old conversation are then ignored.
  let generation = 0;

  const busy = () => phase.value !== "idle";
  const touch = () => changes.value++;

  const view = (role: ViewMessage["role"], text: string, status: ViewStatus, id: string | null, att: Attachment[] = []): ViewMessage => ({
    key: nextKey++,
    id,
    role,
    text: signal(text),
    status: signal(status),
    sources: signal([]),
    rating: signal(null),
    att: signal(att),
  });
  function add(role: ViewMessage["role"], text: string, status: ViewStatus, id: string | null = null, att?: Attachment[]): ViewMessage {
    const message = view(role, text, status, id, att);
    messages.value = [...messages.value, message];
    touch();
    return message;
  }
  const remove = (message: ViewMessage) => {
    messages.value = messages.value.filter((m) => m !== message);
    touch();
  };
  // Each message is told to the page once, when it is final (a retried question is not told again).
  const reported = new WeakSet<ViewMessage>();
  function report(message: ViewMessage): void {
    if (reported.has(message)) return;
    reported.add(message);
    const status = message.status.value;
    emit("message", {
      siteKey,
      conversationId: client.conversationId(),
      id: message.id,
      role: message.role,
      content: message.text.value,
      status: status === "streaming" ? "complete" : status,
    });
  }

  function errorText(err: unknown): string {
    const code = err instanceof ApiError ? err.code : "generic";
    if (code === "rate_limited" && err instanceof ApiError && err.retryAfter)
      return strings.errors.rate_limited_in.replace("{s}", String(err.retryAfter));
    if (code === "invalid_body" || code === "payload_too_large") return strings.tooLong;
    const worded: Partial<Record<ApiErrorCode | "generic", string>> = strings.errors;
    return worded[code] ?? strings.errors.generic;
  }

  async function loadHistory(): Promise<void> {
    const id = client.conversationId();
    if (!id || historyFor === id || busy()) return;
    const gen = generation;
    historyFor = id;
    phase.value = "loading";
    error.value = null;
    try {
      const list = await client.listMessages(id);
      if (gen !== generation) return;
      batch(() => {
        status.value = list.status || "bot";
        messages.value = list.messages.map((m) => {
          const message = view(m.role, m.content, m.status, m.id, m.attachments);
          message.sources.value = m.sources || [];
          message.rating.value = m.feedback?.rating ?? null;
          message.name = m.authorName;
          return message;
        });
        touch();
      });
      const [question, last] = messages.value.slice(-2);
      if (last?.role === "assistant" && last.status.value === "streaming") {
        // Still being written (another tab, or the server finishing it): look again shortly.
        setTimeout(() => {
          if (gen !== generation || historyFor !== id) return;
          historyFor = null;
          void loadHistory();
        }, HISTORY_POLL_MS);
      } else if (
        last?.role === "assistant" &&
        (last.status.value === "partial" || last.status.value === "error") &&
        question?.role === "user"
      ) {
        // Cut off (the server that wrote it went away): the visitor may ask for it again.
        error.value = { text: strings.unfinished, retry: () => retry(question, last) };
      }
    } catch (err) {
      if (gen !== generation) return;
      if (err instanceof ApiError && err.code === "not_found") {
        // The conversation is gone (or belonged to an older visitor): start afresh.
        client.setConversationId(null);
      } else {
        historyFor = null;
        error.value = { text: `${strings.errors.history} ${errorText(err)}`, retry: () => void loadHistory() };
      }
    } finally {
      if (gen === generation) phase.value = "idle";
    }
  }

  /** A question the server already stored (it sent its id) is answered again, not sent twice. */
  async function postTo(conversationId: string, content: string, user: ViewMessage, bot: ViewMessage, signal: AbortSignal) {
    const cb = {
      signal,
      onStart: (info: { userMessageId: string }) => {
        // Stored by the server now: the page hears of it with its id and conversation.
        user.id = info.userMessageId;
        report(user);
      },
      onDelta: (text: string) => {
        phase.value = "streaming";
        bot.text.value += text;
        touch();
      },
      // A drawing's events are kept as they came: the media chunk shows each drawing's latest.
      onImage: (image: Attachment) => {
        bot.att.value = [...bot.att.value, image];
        touch();
      },
    };
    return user.id
      ? client.retry(conversationId, user.id, cb)
      : client.send(
          conversationId,
          content,
          cb,
          (user.att.peek() as MediaView[]).map((a) => a.id),
        );
  }

  /** Asks for the answer to `user` (a new message, or a retry of one that failed). */
  async function answer(user: ViewMessage): Promise<void> {
    const gen = generation;
    const ctl = (controller = new AbortController());
    const bot = add("assistant", "", "streaming");
    phase.value = "waiting";
    error.value = null;
    const content = user.text.value;
    try {
      let outcome;
      try {
        const id = client.conversationId() ?? (await client.createConversation(ctl.signal));
        historyFor = id;
        outcome = await postTo(id, content, user, bot, ctl.signal);
      } catch (err) {
        if (!(err instanceof ApiError && (err.code === "not_found" || err.code === "not_latest_message"))) throw err;
        // A stale conversation id (deleted, or another visitor's), or a retry the server cannot
        // match: continue in a new conversation, sending the question itself.
        user.id = null;
        const id = await client.createConversation(ctl.signal);
        historyFor = id;
        outcome = await postTo(id, content, user, bot, ctl.signal);
      }
      if (gen !== generation) return;
      // A person handles the conversation: the question is stored, and no answer comes.
      if (outcome.handoff) {
        remove(bot);
        status.value = outcome.handoff;
        return;
      }
      status.value = "bot";
      bot.offer = outcome.offer;
      bot.id = outcome.messageId;
      bot.status.value = outcome.status;
      bot.sources.value = outcome.sources;
      if (outcome.error) {
        if (!bot.text.value) remove(bot);
        else report(bot);
        error.value = {
          text: outcome.error.message || strings.errors.generic,
          retry: FINAL.includes(outcome.error.code) ? null : () => retry(user, bot),
        };
      } else {
        report(bot);
      }
    } catch (err) {
      if (gen !== generation) return;
      if (isAbort(err)) {
        bot.status.value = "stopped";
        if (bot.text.value) report(bot);
        else remove(bot);
      } else {
        bot.status.value = "error";
        if (!bot.text.value) remove(bot);
        // A used-up monthly allowance will not come back by retrying.
        const final = err instanceof ApiError && err.code === "quota_exceeded";
        error.value = { text: errorText(err), retry: final ? null : () => retry(user, bot) };
      }
    } finally {
      if (controller === ctl) {
        controller = null;
        if (gen === generation) phase.value = "idle";
      }
      touch();
    }
  }

  function retry(user: ViewMessage, failed: ViewMessage): void {
    if (busy()) return;
    remove(failed);
    void answer(user);
  }

  return {
    open,
    messages,
    phase,
    error,
    changes,
    status,
    handoff,
    media,
    draft,
    pending,
    busy,
    add,
    report,

    setOpen(value: boolean): void {
      if (open.value === value) return;
      open.value = value;
      emit(value ? "open" : "close");
      if (value) void loadHistory();
    },

    /** Sends a visitor message; false when there was nothing to send or an answer is on its way. */
    send(raw: string): boolean {
      const content = raw.trim();
      const att = pending.peek();
      if ((!content && !att.length) || busy()) return false;
      // The server's two limits (chat.schemas.ts): said here, before anything is sent.
      if (content.length > MAX_MESSAGE_CHARS || tokenBound(content) > MAX_MESSAGE_TOKENS) {
        error.value = { text: strings.tooLong, retry: null };
        return false;
      }
      pending.value = [];
      void answer(add("user", content, "complete", null, att));
      return true;
    },

    /** Rates an answer; shown pressed at once, and back as it was if the server refuses. */
    async rate(message: ViewMessage, rating: Rating, comment?: string): Promise<void> {
      if (!message.id) return;
      const before = message.rating.value;
      message.rating.value = rating;
      try {
        await client.rate(message.id, rating, comment || undefined);
      } catch (err) {
        message.rating.value = before;
        error.value = { text: errorText(err), retry: null };
      }
    },

    /** Stops the streaming answer: the visitor keeps the text so far (the server stores it all). */
    stop(): void {
      controller?.abort();
    },

    newConversation(): void {
      generation++;
      controller?.abort();
      controller = null;
      client.setConversationId(null);
      historyFor = null;
      batch(() => {
        status.value = "bot";
        messages.value = [];
        // Pictures uploaded to the old conversation cannot go with a message of the new one.
        pending.value = [];
        error.value = null;
        phase.value = "idle";
        touch();
      });
    },
  };
}
