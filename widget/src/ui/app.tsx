/** @jsxImportSource preact */
import { useLayoutEffect, useRef } from "preact/hooks";
import type { ChatStore } from "../chat/chat-store.js";
import type { PublicConfig } from "../shared/contract.js";
import { safeImageUrl } from "../shared/safe.js";
import type { Strings } from "../strings.js";
import { Composer } from "./composer.js";
import { CloseIcon, NewIcon } from "./icons.js";
import { MessageList } from "./message-list.js";

export interface AppProps {
  store: ChatStore;
  strings: Strings;
  config: PublicConfig;
  inline: boolean;
  /** where focus is, inside this shadow root */
  activeElement(): Element | null;
  /** true once when an open should move focus into the panel */
  takeFocusRequest(): boolean;
  onClose(): void;
}

const FOCUSABLE = "button:not([disabled]),textarea:not([disabled]),a[href],[tabindex]:not([tabindex='-1'])";

export function App({ store, strings, config, inline, activeElement, takeFocusRequest, onClose }: AppProps) {
  const panel = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  const open = store.open.value;
  const avatar = safeImageUrl(config.avatarUrl);
  const Handoff = store.handoff.value;

  // Before the panel's first paint, not after it (useEffect waits for a frame, up to 100 ms): the
  // composer is ready to type in as soon as the panel shows.
  useLayoutEffect(() => {
    if (open && takeFocusRequest()) input.current?.focus();
  }, [open]);

  const onKeyDown = (e: KeyboardEvent) => {
    if (inline) return;
    if (e.key === "Escape" && !e.isComposing) {
      e.preventDefault();
      onClose();
    } else if (e.key === "Tab" && panel.current) {
      // Focus stays in the open panel: Tab from the last control wraps to the first, and back.
      const items = Array.from(panel.current.querySelectorAll<HTMLElement>(FOCUSABLE));
      const first = items[0];
      const last = items[items.length - 1];
      const current = activeElement();
      if (e.shiftKey && (current === first || !panel.current.contains(current))) {
        e.preventDefault();
        last?.focus();
      } else if (!e.shiftKey && (current === last || !panel.current.contains(current))) {
        e.preventDefault();
        first?.focus();
      }
    }
  };

  return (
    <div
      ref={panel}
      class={inline ? "p inline" : "p"}
      role={inline ? "region" : "dialog"}
      aria-modal={inline ? undefined : "true"}
      aria-labelledby="bc-title"
      hidden={!open}
      onKeyDown={onKeyDown}
    >
      <div class="head">
        {avatar && <img class="av" src={avatar} alt="" />}
        <h2 id="bc-title" class="title">
          {config.displayName}
        </h2>
        <button
          type="button"
          class="icon"
          aria-label={strings.newConversation}
          title={strings.newConversation}
          onClick={() => store.newConversation()}
        >
          <NewIcon />
        </button>
        {!inline && (
          <button type="button" class="icon" aria-label={strings.close} title={strings.close} onClick={onClose}>
            <CloseIcon />
          </button>
        )}
      </div>
      <MessageList store={store} strings={strings} welcome={config.welcomeMessage} suggestions={config.suggestedQuestions} />
      {Handoff && <Handoff.B />}
      <Composer store={store} strings={strings} inputRef={input} />
    </div>
  );
}
