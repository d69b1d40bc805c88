import type { z } from "zod";
import type { ErrorBody, ErrorCode } from "../../../server/src/errors.js";
import type {
  ConversationResponse,
  ConversationStatusSchema,
  MessageListResponse,
  StreamEventData,
  VisitorMessage,
} from "../../../server/src/features/chat/chat.schemas.js";
import type { HandoffResponse } from "../../../server/src/features/handoff/handoff.schemas.js";
import type { MediaView } from "../../../server/src/features/media/media.schemas.js";
import type { VisitorStreamEvents } from "../../../server/src/live/live.schemas.js";
import type { PublicConfig, SessionResponse } from "../../../server/src/features/widget/widget.schemas.js";

// Types only: the server's zod schemas are the contract, and zod never ships to visitors.
export type { ErrorBody, ErrorCode, MediaView, PublicConfig, StreamEventData };
/** Who answers the conversation (docs/people.md): bot → waiting → human → closed, or back to bot. */
export type ConversationStatus = z.infer<typeof ConversationStatusSchema>;
export type Lang = PublicConfig["language"];
export type ServerMessage = z.infer<typeof VisitorMessage>;
export type MessageStatus = ServerMessage["status"];
/** A source an answer cited: `n` is its `[n]` in the answer's text. */
export type CitedSource = ServerMessage["sources"][number];
/** The stream's `image` event: a drawing's progress (docs/media.md "The bot draws"). */
export type ImageEventData = StreamEventData["image"];
/** What a message shows besides its text: its pictures (the history's MediaView), or an answer's drawing events as they came. */
export type Attachment = MediaView | ImageEventData;
/** Which media controls the site offers (the public config's `media`; absent means all off). */
export type PublicMedia = NonNullable<PublicConfig["media"]>;
/** A visitor's rating of an answer. */
export type Rating = NonNullable<ServerMessage["feedback"]>["rating"];
export type Session = z.infer<typeof SessionResponse>;
export type ConversationAnswer = z.infer<typeof ConversationResponse>;
export type MessageList = z.infer<typeof MessageListResponse>;
/** `POST /v1/conversations/:id/handoff` */
export type HandoffAnswer = z.infer<typeof HandoffResponse>;
/** The visitor's live stream, `GET /v1/conversations/:id/events`: each event's data. */
export type LiveEventData = { [E in keyof typeof VisitorStreamEvents]: z.infer<(typeof VisitorStreamEvents)[E]> };

/** One event of the answer stream, as a union the event name narrows. */
export type StreamEvent = { [E in keyof StreamEventData]: { event: E; data: StreamEventData[E] } }[keyof StreamEventData];
/** The closed set of the stream's `error` codes (CHAT_ERROR_CODES on the server). */
export type ChatErrorCode = StreamEventData["error"]["code"];

/** What a widget tells the host page: `BailianChat.on(type, fn)`. */
export type WidgetEventType = "open" | "close" | "message";

/** The detail of a `message` event: one finished message of the conversation. */
export interface MessageEventDetail {
  siteKey: string;
  conversationId: string | null;
  id: string | null;
  role: "user" | "assistant" | "agent";
  content: string;
  /** "stopped": the visitor stopped the answer; the server still stores all of it. */
  status: MessageStatus | "stopped";
}

/** The chat chunk's controls, driven by the loader (launcher clicks, the page's API calls). */
export interface ChatHandle {
  /** focus: move focus into the panel (false when the page opens it on load). */
  open(focus?: boolean): void;
  close(): void;
  toggle(): void;
  newConversation(): void;
}

export type Listener = (detail?: MessageEventDetail) => void;
/** The page's listeners of one widget, kept by the loader (they may subscribe before the chunk loads). */
export type Listeners = Partial<Record<WidgetEventType, Set<Listener>>>;

/** What the loader hands the chat chunk when it mounts one widget. */
export interface MountOptions {
  siteKey: string;
  /** API origin, without a trailing slash */
  api: string;
  lang: Lang;
  config: PublicConfig;
  inline: boolean;
  nonce?: string;
  shadow: ShadowRoot;
  /** the element inside the shadow root the panel is rendered into (carries the theme variables) */
  container: HTMLElement;
  /** the plain-DOM launcher; null in inline mode */
  launcher: HTMLButtonElement | null;
  listeners: Listeners;
  /** the loader's chunk loading, which the chat chunk uses for the lazy chunks (one per page each) */
  load<K extends ChunkKey>(url: string, key: K): Promise<NonNullable<PageState[K]>>;
}

export type MountFn = (options: MountOptions) => ChatHandle;

/** One widget on the page, as the public API sees it. */
export interface WidgetInstance {
  readonly siteKey: string;
  open(): void;
  close(): void;
  toggle(): void;
  newConversation(): void;
  on(type: WidgetEventType, listener: Listener): () => void;
}

/** `window.BailianChat`: the page's first widget, plus get(siteKey) for any widget of the page. */
export interface BailianChatGlobal extends WidgetInstance {
  get(siteKey: string): WidgetInstance | undefined;
}

declare global {
  interface Window {
    BailianChat?: BailianChatGlobal;
  }
}

/**
 * State shared by every copy of the loader on the page and by the chat chunk. Kept under a
 * registered symbol, so it is one object even when the script is included twice, and it adds no
 * string-named global beside `BailianChat`. Short field names: they ship in the 2 KB loader.
 */
export interface PageState {
  /** widgets by site key: p = public instance, a = re-attach its host element */
  i: Map<string, { p: WidgetInstance; a(): void }>;
  /** the chunks loading or loaded, by the key their export goes under */
  l?: Partial<Record<ChunkKey, Promise<unknown>>>;
  /** set by the chat chunk when it runs */
  m?: MountFn;
  /** set by the handoff chunk when it runs (loaded by the chat chunk, for sites with handoff) */
  h?: HandoffChunk;
  /** set by the media chunk when it runs (loaded by the chat chunk, for sites with a media flag on) */
  x?: MediaChunk;
  /** what the chat chunk lends the lazy chunks: its Preact and signals (one copy per page) */
  p?: Record<string, unknown>;
}

/** The page state's keys of the chunks: m = chat, h = handoff, x = media. */
export type ChunkKey = "m" | "h" | "x";

/** The handoff chunk's one export: the controls of one widget's handoff, as Preact components. */
export type HandoffChunk = (host: HandoffHost) => HandoffUi;
export interface HandoffHost {
  store: import("../chat/chat-store.js").ChatStore;
  client: import("../api/api-client.js").ApiClient;
  lang: Lang;
  /** the site offers handoff (else only a conversation already handed over is followed) */
  on: boolean;
}
export interface HandoffUi {
  /** the status line, the "Talk to a person" button, the email form: above the composer */
  B: () => import("preact").VNode | null;
  /** the button inside an answer that offered a person */
  O: () => import("preact").VNode | null;
}

/** The media chunk's one export: one widget's pictures and voice controls, as Preact components. */
export type MediaChunk = (host: MediaHost) => MediaUi;
export interface MediaHost {
  store: import("../chat/chat-store.js").ChatStore;
  client: import("../api/api-client.js").ApiClient;
  lang: Lang;
  media: Partial<PublicMedia>;
  /** the API origin: an upload target there is PUT with the visitor token */
  api: string;
}
export interface MediaUi {
  /** in the composer: the paperclip and microphone, the pictures waiting to be sent, the recording */
  C: () => import("preact").VNode | null;
  /**
   * in a message: its pictures and drawings, and an answer's speaker. `s` is the message's status,
   * passed so that the slot renders again when it changes (the message object itself never does).
   */
  M: (props: {
    m: import("../chat/chat-store.js").ViewMessage;
    s: import("../chat/chat-store.js").ViewStatus;
  }) => import("preact").VNode | null;
}

export function pageState(): PageState {
  const slot = window as unknown as Record<symbol, PageState | undefined>;
  const key = Symbol.for("bailian-chat");
  return (slot[key] ||= { i: new Map() });
}
