/**
 * Test support for the widget (happy-dom): a scriptable widget API behind a `fetch` that answers
 * real Response objects with real ReadableStream bodies, and helpers to boot the real loader and
 * the real chat chunk on a page and look at what the visitor sees.
 */
import { expect, vi } from "vitest";
import { mount } from "../../../widget/src/chat/mount.js";
import { createHandoff } from "../../../widget/src/handoff/handoff.js";
import { boot } from "../../../widget/src/loader/boot.js";
import { createMedia } from "../../../widget/src/media/media.js";
import {
  type ConversationStatus,
  type LiveEventData,
  type MediaView,
  pageState,
  type PublicConfig,
  type ServerMessage,
  type StreamEventData,
} from "../../../widget/src/shared/contract.js";
import { waitFor as pollUntil } from "../support/happy-dom.js";

export const API = "https://api.bailian.test";
/** The fake bucket an OSS PostObject form target points at (docs/media.md "Uploads"). */
export const OSS = "https://bucket.oss.bailian.test";
export const WIDGET_SRC = "https://cdn.bailian.test/w/widget.js";

export const encoder = new TextEncoder();

/** Polls until `check` stops throwing (signals update the DOM a little after the action). */
export const waitFor = <T>(check: () => T, timeoutMs = 2000): Promise<T> => pollUntil(check, timeoutMs, 5);

export const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

export const errorJson = (status: number, code: string, message = code, headers: Record<string, string> = {}) =>
  json({ error: { code, message } }, status, headers);

/** A text/event-stream response whose bytes the test writes, honouring the request's abort signal like fetch does. */
export function sseStream(signal?: AbortSignal | null) {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let done = false;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    cancel() {
      done = true;
    },
  });
  signal?.addEventListener("abort", () => {
    if (done) return;
    done = true;
    controller.error(new DOMException("The operation was aborted.", "AbortError"));
  });
  const raw = (text: string) => {
    if (!done) controller.enqueue(encoder.encode(text));
  };
  return {
    response: new Response(body, { status: 200, headers: { "content-type": "text/event-stream; charset=utf-8" } }),
    raw,
    /** an event of the answer stream, typed by the server's StreamEvents */
    send: <E extends keyof StreamEventData>(event: E, data: StreamEventData[E]) =>
      raw(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
    /** an event of the visitor's live stream (GET …/events), with its id */
    live: <E extends keyof LiveEventData>(event: E, data: LiveEventData[E], id: number | string) =>
      raw(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
    close: () => {
      if (done) return;
      done = true;
      controller.close();
    },
    get cancelled() {
      return done;
    },
  };
}

export type Stream = ReturnType<typeof sseStream>;
export type StoredMessage = ServerMessage;

/** How the fake answers a posted message; the default streams a short answer. */
export type Answerer = (
  stream: Stream,
  ctx: {
    content: string;
    conversationId: string;
    store(text: string, status?: StoredMessage["status"], sources?: StoredMessage["sources"]): string;
  },
) => void | Promise<void>;

export const streamText =
  (text: string, pieces = 3): Answerer =>
  async (stream, ctx) => {
    const size = Math.ceil(text.length / pieces) || 1;
    for (let i = 0; i < text.length; i += size) {
      stream.send("delta", { text: text.slice(i, i + size) });
      await tick();
    }
    const messageId = ctx.store(text);
    stream.send("done", { messageId, status: "complete", usage: { promptTokens: 3, completionTokens: 5 }, sources: [] });
    stream.close();
  };

/** An upload of the fake (docs/media.md "Records"): its bytes once sent, ready once completed. */
export interface FakeUpload {
  id: string;
  kind: "image" | "audio";
  mediaType: string;
  size: number;
  conversationId: string;
  bytes: Blob | null;
  view: MediaView | null;
  sent: boolean;
}

let ids = 0;
const newId = (prefix: string) => `${prefix}_${++ids}`;

/**
 * The widget API of one or more sites, in memory: config, sessions (a valid old token keeps its
 * visitor), conversations per visitor, messages, and the answer stream. Every request is recorded.
 */
export function createFakeApi(sites: Record<string, Partial<PublicConfig>> = {}) {
  const configs = new Map<string, PublicConfig>();
  for (const [key, cfg] of Object.entries(sites)) configs.set(key, siteConfig(key, cfg));
  const tokens = new Map<string, { siteKey: string; visitorId: string }>();
  const conversations = new Map<
    string,
    { visitorId: string; siteKey: string; messages: StoredMessage[]; status: ConversationStatus; email?: string }
  >();
  const requests: Array<{ method: string; path: string; auth: string | null; body: unknown; lastEventId: string | null }> = [];
  /** the visitor's live streams (GET …/events), in order: the test writes their events */
  const live: Array<Stream & { conversationId: string; lastEventId: string | null }> = [];
  /** what POST …/handoff answers besides the status (docs/people.md) */
  const handoff = { online: true, waitSeconds: 120 };
  const answers: Answerer[] = [];
  const streams: Stream[] = [];
  /** pictures and voice: uploads by id, the target kind the server answers, each OSS form's fields in order, the transcript */
  const media = {
    target: "put" as "put" | "post",
    uploads: new Map<string, FakeUpload>(),
    forms: [] as string[][],
    transcript: "What is your return policy?",
  };
  /** answer for the next request matching method+path, once (e.g. a 429 or a network failure) */
  const overrides: Array<{ method: string; path: RegExp; reply: () => Response | Promise<Response> }> = [];

  const visitorOf = (auth: string | null) => (auth ? tokens.get(auth.replace(/^Bearer /, "")) : undefined);
  const issue = (siteKey: string, visitorId: string) => {
    const token = `tok_${++ids}`;
    tokens.set(token, { siteKey, visitorId });
    return token;
  };

  const fetchImpl = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input));
    const method = (init.method ?? "GET").toUpperCase();
    const auth = new Headers(init.headers).get("authorization");
    const lastEventId = new Headers(init.headers).get("last-event-id");
    const body = typeof init.body == "string" ? JSON.parse(init.body) : undefined;
    requests.push({ method, path: url.pathname, auth, body, lastEventId });
    if (init.signal?.aborted) throw new DOMException("The operation was aborted.", "AbortError");
    const override = overrides.findIndex((o) => o.method === method && o.path.test(url.pathname));
    if (override >= 0) return overrides.splice(override, 1)[0].reply();
    if (url.origin === OSS && method === "POST") {
      // The bucket: a PostObject form whose key names the upload; 204 as success_action_status asks.
      const form = init.body as FormData;
      media.forms.push([...form.keys()]);
      const upload = media.uploads.get(String(form.get("key")));
      if (!upload) return new Response("<Error><Code>AccessDenied</Code></Error>", { status: 403 });
      upload.bytes = form.get("file") as Blob;
      return new Response(null, { status: 204 });
    }
    if (url.origin !== API) return errorJson(404, "not_found");

    let m: RegExpExecArray | null;
    if ((m = /^\/v1\/widget\/([^/]+)\/config$/.exec(url.pathname)) && method === "GET") {
      const cfg = configs.get(m[1]);
      return cfg ? json(cfg) : errorJson(404, "not_found", "No site has this key.");
    }
    if ((m = /^\/v1\/widget\/([^/]+)\/sessions$/.exec(url.pathname)) && method === "POST") {
      if (!configs.has(m[1])) return errorJson(404, "not_found");
      const known = visitorOf(auth);
      const visitorId = known && known.siteKey === m[1] ? known.visitorId : newId("vis");
      return json({ token: issue(m[1], visitorId), visitorId }, 201);
    }
    const visitor = visitorOf(auth);
    if (/^\/v1\/(conversations|messages|uploads)/.test(url.pathname) && !visitor) return errorJson(401, "unauthorized");
    const own = (upload: FakeUpload | undefined) =>
      upload && conversations.get(upload.conversationId)?.visitorId === visitor!.visitorId ? upload : undefined;
    if ((m = /^\/v1\/uploads\/([^/]+)\/(content|complete)$/.exec(url.pathname))) {
      const upload = own(media.uploads.get(m[1]));
      if (!upload) return errorJson(404, "not_found");
      if (m[2] === "content" && method === "PUT") {
        upload.bytes = init.body as Blob;
        return new Response(null, { status: 204 });
      }
      if (m[2] === "complete" && method === "POST") {
        if (!upload.bytes) return errorJson(409, "upload_incomplete");
        upload.view = {
          id: upload.id,
          kind: upload.kind,
          status: "ready",
          mediaType: upload.mediaType.split(";")[0],
          width: upload.kind === "image" ? 640 : null,
          height: upload.kind === "image" ? 480 : null,
          durationMs: upload.kind === "audio" ? 2_000 : null,
          url: `${API}/v1/media/${upload.id}?e=1&s=sig`,
          prompt: null,
        };
        return json({ upload: upload.view });
      }
    }
    if ((m = /^\/v1\/messages\/([^/]+)\/speech$/.exec(url.pathname)) && method === "POST") {
      const mine = [...conversations.values()].filter((c) => c.visitorId === visitor!.visitorId).flatMap((c) => c.messages);
      if (!configs.get(visitor!.siteKey)?.media?.readAloud) return errorJson(403, "media_disabled");
      if (!mine.some((x) => x.id === m![1] && x.role !== "user")) return errorJson(404, "not_found");
      return json({ url: `${API}/v1/speech/${m[1]}?voice=v&e=1&s=sig`, expiresAt: "" });
    }
    if ((m = /^\/v1\/conversations\/([^/]+)\/(uploads|transcriptions)$/.exec(url.pathname)) && method === "POST") {
      const conversation = conversations.get(m[1]);
      if (!conversation || conversation.visitorId !== visitor!.visitorId) return errorJson(404, "not_found");
      const flags = configs.get(conversation.siteKey)?.media;
      if (m[2] === "transcriptions") {
        const upload = own(media.uploads.get(body?.uploadId));
        if (!flags?.voiceInput) return errorJson(403, "media_disabled");
        if (!upload?.view || upload.kind !== "audio") return errorJson(409, "upload_not_ready");
        if (!media.transcript) return errorJson(422, "no_speech", "No speech was recognised in the recording.");
        return json({ text: media.transcript, durationMs: 2_000 });
      }
      if (!(body?.kind === "image" ? flags?.imageInput : flags?.voiceInput)) return errorJson(403, "media_disabled");
      if (/hei[cf]/.test(body.mediaType)) return errorJson(415, "unsupported_media");
      const id = newId("med");
      media.uploads.set(id, {
        id,
        kind: body.kind,
        mediaType: body.mediaType,
        size: body.size,
        conversationId: m[1],
        bytes: null,
        view: null,
        sent: false,
      });
      const target =
        media.target === "post"
          ? { method: "POST", url: OSS, fields: { key: id, policy: "p0licy", "x-oss-signature": "s1g", success_action_status: "204" } }
          : { method: "PUT", url: `${API}/v1/uploads/${id}/content`, headers: { "content-type": body.mediaType } };
      return json({ upload: { id, kind: body.kind, status: "pending" }, target, expiresAt: "" }, 201);
    }
    if ((m = /^\/v1\/messages\/([^/]+)\/feedback$/.exec(url.pathname)) && method === "POST") {
      // Like the server: only the visitor's own answers; the last rating wins.
      const id = m[1];
      const own = [...conversations.values()].filter((c) => c.visitorId === visitor!.visitorId).flatMap((c) => c.messages);
      const answer = own.find((x) => x.id === id && x.role === "assistant");
      if (!answer) return errorJson(404, "not_found");
      answer.feedback = { rating: body.rating, comment: body.comment ?? null };
      return json({ feedback: answer.feedback });
    }
    if (url.pathname === "/v1/conversations" && method === "POST") {
      const id = newId("conv");
      conversations.set(id, { visitorId: visitor!.visitorId, siteKey: visitor!.siteKey, messages: [], status: "bot" });
      return json({ conversation: { id, title: "", messageCount: 0, createdAt: "", updatedAt: "" } }, 201);
    }
    if ((m = /^\/v1\/conversations\/([^/]+)\/(handoff|lead|events)$/.exec(url.pathname))) {
      const conversation = conversations.get(m[1]);
      if (!conversation || conversation.visitorId !== visitor!.visitorId) return errorJson(404, "not_found", "No such conversation.");
      if (m[2] === "handoff" && method === "POST") {
        if (!configs.get(conversation.siteKey)?.handoff?.enabled) return errorJson(409, "handoff_unavailable");
        if (conversation.status !== "human") conversation.status = "waiting";
        return json({ conversation: { id: m[1], status: conversation.status }, ...handoff });
      }
      if (m[2] === "lead" && method === "POST") {
        if (typeof body?.email != "string" || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(body.email)) return errorJson(400, "invalid_body");
        conversation.email = body.email;
        return json({ ok: true });
      }
      if (m[2] === "events" && method === "GET") {
        const stream = Object.assign(sseStream(init.signal), { conversationId: m[1], lastEventId });
        live.push(stream);
        // Like the server: no stream held when no person is involved.
        if (conversation.status === "bot" || conversation.status === "closed") {
          stream.live("status", { status: conversation.status, agentName: null }, 1);
          stream.close();
        }
        return stream.response;
      }
    }
    if ((m = /^\/v1\/conversations\/([^/]+)\/(messages|retry)$/.exec(url.pathname))) {
      const conversation = conversations.get(m[1]);
      if (!conversation || conversation.visitorId !== visitor!.visitorId) return errorJson(404, "not_found", "No such conversation.");
      if (method === "GET" && m[2] === "messages") return json({ messages: conversation.messages, status: conversation.status });
      let content: string;
      let userMessageId: string;
      if (m[2] === "retry") {
        // Like the server: only the latest question is answered again, and it is not stored twice.
        const latest = conversation.messages.filter((x) => x.role === "user").at(-1);
        if (!latest || latest.id !== body?.userMessageId) return errorJson(409, "not_latest_message");
        content = latest.content;
        userMessageId = latest.id;
      } else {
        content = String(body?.content ?? "");
        // Like the server: ready pictures of this visitor's conversation, each sent once.
        const pictures = ((body?.attachments ?? []) as string[]).map((id) => own(media.uploads.get(id)));
        if (pictures.some((u) => !u)) return errorJson(404, "not_found");
        if (pictures.some((u) => !u!.view || u!.kind !== "image" || u!.sent)) return errorJson(409, "upload_not_ready");
        for (const u of pictures) u!.sent = true;
        userMessageId = newId("msg");
        conversation.messages.push({
          id: userMessageId,
          role: "user",
          authorName: null,
          content,
          status: "complete",
          createdAt: "",
          sources: [],
          feedback: null,
          attachments: pictures.map((u) => u!.view!),
        });
      }
      const stream = sseStream(init.signal);
      streams.push(stream);
      if (conversation.status === "waiting" || conversation.status === "human") {
        // A person handles it: the message is stored, and the stream says so instead of answering.
        stream.send("handoff", { userMessageId, status: conversation.status });
        stream.close();
        return stream.response;
      }
      if (conversation.status === "closed") conversation.status = "bot";
      stream.send("start", { conversationId: m[1], userMessageId });
      const store = (text: string, status: StoredMessage["status"] = "complete", sources: StoredMessage["sources"] = []) => {
        const id = newId("msg");
        conversation.messages.push({
          id,
          role: "assistant",
          authorName: null,
          content: text,
          status,
          createdAt: "",
          sources,
          feedback: null,
          attachments: [],
        });
        return id;
      };
      const answer = answers.shift() ?? streamText("Hello from the bot.");
      void Promise.resolve(answer(stream, { content, conversationId: m[1], store }));
      return stream.response;
    }
    return errorJson(404, "not_found");
  });

  return {
    fetch: fetchImpl as unknown as typeof fetch & typeof fetchImpl,
    requests,
    answers,
    streams,
    overrides,
    configs,
    media,
    conversations,
    tokens,
    live,
    handoff,
    /** a person of the site's team writes (seen by a poll of the messages) */
    agentWrites(conversationId: string, content: string, authorName = "Lin") {
      const message: StoredMessage = {
        id: newId("msg"),
        role: "agent",
        authorName,
        content,
        status: "complete",
        createdAt: "",
        sources: [],
        feedback: null,
        attachments: [],
      };
      conversations.get(conversationId)!.messages.push(message);
      conversations.get(conversationId)!.status = "human";
      return message;
    },
    /** requests to paths matching `re` */
    calls: (method: string, re: RegExp) => requests.filter((r) => r.method === method && re.test(r.path)),
  };
}

export type FakeApi = ReturnType<typeof createFakeApi>;

export function siteConfig(siteKey: string, cfg: Partial<PublicConfig> = {}): PublicConfig {
  return {
    siteKey,
    displayName: "Shop helper",
    avatarUrl: null,
    primaryColor: "#0f766e",
    welcomeMessage: "Hi! How can I help?",
    suggestedQuestions: [],
    language: "en",
    ...cfg,
  };
}

/** A fresh page: no widgets, no storage, script "loading" answered as loaded (happy-dom runs no files). */
export async function resetPage(url = "https://shop.example/products", { keepStorage = false } = {}) {
  // Effects the last test left pending (Preact runs them after paint) land on the old page.
  await tick(60);
  vi.unstubAllGlobals();
  const state = pageState();
  state.i.clear();
  state.l = undefined;
  // What the chunks' entries do when their <script> runs (widget/src/chat-entry.ts, handoff-entry.ts, media-entry.ts).
  state.m = mount;
  state.h = createHandoff;
  state.x = createMedia;
  delete window.BailianChat;
  if (!keepStorage) localStorage.clear();
  // Focus leaves the old page first (happy-dom stumbles over a focused element in a detached tree).
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  (active as HTMLElement | null)?.blur?.();
  // A new <html>: the widgets of earlier tests watch the old one (to re-attach their hosts) and
  // stop mattering, as when a browser leaves a page.
  const html = document.createElement("html");
  html.append(document.createElement("head"), document.createElement("body"));
  document.documentElement.remove();
  document.append(html);
  const happy = (
    window as unknown as { happyDOM: { settings: { handleDisabledFileLoadingAsSuccess: boolean }; setURL(url: string): void } }
  ).happyDOM;
  happy.settings.handleDisabledFileLoadingAsSuccess = true;
  happy.setURL(url);
}

/** Puts a widget <script> on the page and runs the loader for it, as the browser would. */
export function addWidgetScript(attrs: Record<string, string>, src = WIDGET_SRC): HTMLScriptElement {
  const script = document.createElement("script");
  script.setAttribute("src", src);
  for (const [name, value] of Object.entries(attrs)) script.setAttribute(name, value);
  // Browsers reflect the nonce attribute into the nonce property (and then hide the attribute).
  if (attrs.nonce) script.nonce = attrs.nonce;
  document.body.append(script);
  boot(script);
  return script;
}

/** Boots a widget and waits for its launcher (or inline panel); answers its shadow root. */
export async function startWidget(api: Pick<FakeApi, "fetch"> | { fetch: typeof fetch }, attrs: Record<string, string>) {
  vi.stubGlobal("fetch", api.fetch);
  const before = new Set(document.querySelectorAll("bailian-chat"));
  addWidgetScript({ "data-api-base": API, ...attrs });
  const host = await waitFor(() => {
    const found = Array.from(document.querySelectorAll("bailian-chat")).find((h) => !before.has(h));
    expect(found).toBeTruthy();
    return found as HTMLElement;
  });
  const root = host.shadowRoot!;
  if (attrs["data-mode"] === "inline") await waitFor(() => expect(root.querySelector(".p")).toBeTruthy());
  else await waitFor(() => expect(root.querySelector("button.l")).toBeTruthy());
  return { host, root, ui: ui(root) };
}

/** What the visitor sees and does inside one widget's shadow root. */
export function ui(root: ShadowRoot) {
  const q = <T extends Element = HTMLElement>(sel: string) => root.querySelector<T>(sel);
  return {
    root,
    launcher: () => q<HTMLButtonElement>("button.l")!,
    panel: () => q<HTMLDivElement>(".p"),
    isOpen: () => !!q(".p") && !q(".p")!.hasAttribute("hidden"),
    input: () => q<HTMLTextAreaElement>(".f textarea")!,
    sendButton: () => q<HTMLButtonElement>(".f .send")!,
    bubbles: () => Array.from(root.querySelectorAll<HTMLElement>(".log .m:not(.welcome)")),
    /** the visible text of each message, without the screen-reader "You:" / "Assistant:" prefix or a person's name */
    texts: () =>
      Array.from(root.querySelectorAll<HTMLElement>(".log .m:not(.welcome)")).map((m) => {
        const copy = m.cloneNode(true) as HTMLElement;
        copy.querySelectorAll(".sr, .who, .note, .typing, .fb, .hb").forEach((n) => n.remove());
        return copy.textContent!.trim();
      }),
    error: () => q(".err"),
    button: (label: string) =>
      Array.from(root.querySelectorAll<HTMLButtonElement>("button")).find(
        (b) => b.getAttribute("aria-label") === label || b.textContent?.trim() === label,
      ),
    async type(text: string) {
      const input = q<HTMLTextAreaElement>(".f textarea")!;
      input.focus();
      input.value = text;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      await tick();
    },
    key(target: Element, key: string, init: KeyboardEventInit = {}) {
      const event = new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true, composed: true, ...init });
      target.dispatchEvent(event);
      return event;
    },
  };
}

export type WidgetUi = ReturnType<typeof ui>;

/** Opens the panel with the launcher and waits for it. */
export async function openPanel(w: WidgetUi) {
  w.launcher().click();
  await waitFor(() => expect(w.isOpen()).toBe(true));
  // Focus moves into the panel, to the composer.
  await waitFor(() => expect(w.root.activeElement).toBe(w.input()));
}

export async function send(w: WidgetUi, text: string) {
  await w.type(text);
  w.key(w.input(), "Enter");
}

/** Waits until no answer is on its way (the log is no longer busy). */
export async function settled(w: WidgetUi) {
  await waitFor(() => expect(w.root.querySelector(".log")!.getAttribute("aria-busy")).toBe("false"));
}
