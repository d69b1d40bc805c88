/** @jsxImportSource preact */
import { effect } from "@preact/signals";
import { render } from "preact";
import { createApiClient } from "../api/api-client.js";
import type { ChatHandle, MountOptions } from "../shared/contract.js";
import { STRINGS } from "../strings.js";
import { addStyles } from "../styles/add-styles.js";
import { PANEL_CSS } from "../styles/panel-css.js";
import { App } from "../ui/app.js";
import { loadHandoff } from "../handoff/load-handoff.js";
import { createChatStore } from "./chat-store.js";
import { lockPage } from "./page-scroll.js";

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

  // The handoff controls come in their own chunk: for sites that offer a person, or a
  // conversation a person already has (the site may have turned handoff off since).
  const on = !!options.config.handoff?.enabled;
  effect(() => {
    if (on || store.status.value !== "bot")
      loadHandoff(options.nonce).then(
        (chunk) => (store.handoff.value ||= chunk({ store, client, lang: options.lang, on })),
        () => {},
      );
  });

  if (inline) store.setOpen(true);
  return {
    open: (focus) => setOpen(true, focus !== false),
    close: () => setOpen(false),
    toggle: () => setOpen(!store.open.value),
    newConversation: () => store.newConversation(),
  };
}
