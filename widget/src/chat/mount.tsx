/** @jsxImportSource preact */
import { computed, effect, signal, useSignal } from "@preact/signals";
import { render } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { jsx, jsxs } from "preact/jsx-runtime";
import { createApiClient } from "../api/api-client.js";
import { type ChatHandle, type PageState, type MountOptions, pageState } from "../shared/contract.js";
import { STRINGS } from "../strings.js";
import { addStyles } from "../styles/add-styles.js";
import { PANEL_CSS } from "../styles/panel-css.js";
import { App } from "../ui/app.js";
import { createChatStore } from "./chat-store.js";
import { HANDOFF_CHUNK_FILE, MEDIA_CHUNK_FILE } from "./lazy-files.js";
import { lockPage } from "./page-scroll.js";

// Read while the chat chunk's own <script> runs: the lazy chunks sit beside it. (Tests import
// this module where there is no document yet.)
const base = (globalThis.document?.currentScript as HTMLScriptElement | null)?.src;

/** Renders one widget's panel into its shadow root; the loader drives it through the handle. */
export function mount(options: MountOptions): ChatHandle {
  const { shadow, container, launcher, inline } = options;
  addStyles(shadow, PANEL_CSS, options.nonce);
  const strings = STRINGS[options.lang];
  const client = createApiClient({ api: options.api, siteKey: options.siteKey });
  const store = createChatStore({
    client,
    strings,
    siteKey: options.siteKey,
    // A page's listener that throws must not break the chat.
    emit: (type, detail) =>
      options.listeners[type]?.forEach((fn) => {
        try {
          fn(detail);
        } catch (err) {
          console.error(err);
        }
      }),
  });
  let focusRequested = false;

  const setOpen = (value: boolean, focus = true) => {
    if (inline && !value) return;
    // Focus returns to the launcher only when it was in the panel: a page's own close() keeps its focus.
    // (document.activeElement is our host exactly when focus is somewhere in this widget.)
    const hadFocus = document.activeElement === shadow.host && shadow.activeElement !== launcher;
    focusRequested = value && focus;
    store.setOpen(value);
    if (!value && hadFocus) launcher?.focus();
  };

  const root = document.createElement("div");
  // Inline, the panel fills its target: the element it renders into must have the height to give.
  if (inline) root.className = "fill";
  container.append(root);
  render(
    <App
      store={store}
      strings={strings}
      config={options.config}
      inline={inline}
      activeElement={() => shadow.activeElement}
      takeFocusRequest={() => {
        const wanted = focusRequested;
        focusRequested = false;
        return wanted;
      }}
      onClose={() => setOpen(false)}
    />,
    root,
  );

  let release: (() => void) | null = null;
  effect(() => {
    const open = store.open.value;
    launcher?.setAttribute("aria-expanded", String(open));
    if (!inline) {
      release?.();
      release = open ? lockPage(container) : null;
    }
  });

  // The lazy chunks bring no Preact of their own: the build points their imports of Preact and
  // signals at these (one copy, whose hooks and signals they must share).
  pageState().p = { jsx, jsxs, useEffect, useRef, signal, effect, computed, useSignal };
  /** Loads a lazy chunk (once per page) as soon as `wanted` says so, and hands it to `use`. */
  const lazy = <K extends "h" | "x">(key: K, file: string, wanted: () => unknown, use: (chunk: NonNullable<PageState[K]>) => void) =>
    effect(() => {
      if (wanted()) options.load(new URL(file, base || location.href).href, key).then(use, () => {});
    });
  const host = { store, client, lang: options.lang };

  // Not before the panel first opens: the loader mounts it when the visitor only moves towards
  // the launcher. The handoff controls: for sites that offer a person, or a conversation a person
  // already has (the site may have turned handoff off since).
  const on = !!options.config.handoff?.enabled;
  const opened = () => store.open.value;
  lazy(
    "h",
    HANDOFF_CHUNK_FILE,
    () => opened() && (on || store.status.value !== "bot"),
    (chunk) => (store.handoff.value ||= chunk({ ...host, on })),
  );
  // Pictures and voice: for sites with any of them on, or a conversation that has pictures.
  const media = options.config.media || {};
  lazy(
    "x",
    MEDIA_CHUNK_FILE,
    () => opened() && (Object.values(media).some(Boolean) || store.messages.value.some((m) => m.att.peek().length)),
    (chunk) => (store.media.value ||= chunk({ ...host, media, api: options.api })),
  );

  if (inline) store.setOpen(true);
  return {
    open: (focus) => setOpen(true, focus !== false),
    close: () => setOpen(false),
    toggle: () => setOpen(!store.open.value),
    newConversation: () => store.newConversation(),
  };
}
