/** @jsxImportSource preact */
import { useSignalEffect } from "@preact/signals";
import { useRef } from "preact/hooks";
import type { ChatStore, ViewMessage } from "../chat/chat-store.js";
import { citeMarkers } from "../markdown/citations.js";
import { renderMarkdown } from "../markdown/markdown.js";
import type { Strings } from "../strings.js";
import { SourceList } from "./sources.js";

function Bubble({ message, strings }: { message: ViewMessage; strings: Strings }) {
  const status = message.status.value;
  const text = message.text.value;
  const user = message.role === "user";
  const sources = message.sources.value;
  const note =
    status === "stopped"
      ? strings.stopped
      : status === "partial"
        ? strings.interrupted
        : status === "refused" && !text
          ? strings.refused
          : status === "error" && !text
            ? strings.failed
            : null;
  return (
    <div class={`m ${user ? "u" : "a"}`} data-status={status} data-cites>
      <span class="sr">{user ? strings.you : strings.assistant}</span>
      {user
        ? text
        : renderMarkdown(
            text,
            citeMarkers(sources, (s) => strings.citation.replace("{n}", String(s.n)).replace("{title}", s.title)),
          )}
      {status === "streaming" && !text && (
        <span class="typing" role="img" aria-label={strings.typing}>
          <i />
          <i />
          <i />
        </span>
      )}
      {!user && sources.length > 0 && <SourceList sources={sources} strings={strings} />}
      {note && <div class="note">{note}</div>}
    </div>
  );
}

export interface MessageListProps {
  store: ChatStore;
  strings: Strings;
  welcome: string;
  suggestions: string[];
}

export function MessageList({ store, strings, welcome, suggestions }: MessageListProps) {
  const log = useRef<HTMLDivElement>(null);
  // Follows new text while the visitor is at the bottom; leaves them alone when they scrolled up.
  const pinned = useRef(true);
  useSignalEffect(() => {
    void store.changes.value;
    // After the bubbles re-rendered: signal-driven updates land after this effect.
    requestAnimationFrame(() => {
      const el = log.current;
      if (el && pinned.current) el.scrollTop = el.scrollHeight;
    });
  });
  const phase = store.phase.value;
  const messages = store.messages.value;
  const error = store.error.value;
  return (
    <div
      ref={log}
      class="log"
      role="log"
      aria-live="polite"
      aria-busy={phase !== "idle" ? "true" : "false"}
      onScroll={(e) => {
        const el = e.currentTarget;
        pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
      }}
    >
      {welcome && <div class="m a welcome">{renderMarkdown(welcome)}</div>}
      {messages.map((m) => (
        <Bubble key={m.key} message={m} strings={strings} />
      ))}
      {phase === "loading" && <div class="note center">{strings.loading}</div>}
      {error && (
        <div class="err" role="alert">
          <span>{error.text}</span>
          {error.retry && (
            <button type="button" class="retry" onClick={error.retry}>
              {strings.retry}
            </button>
          )}
        </div>
      )}
      {messages.length === 0 && phase === "idle" && suggestions.length > 0 && (
        <ul class="sug" aria-label={strings.suggestions}>
          {suggestions.map((q, i) => (
            <li key={i}>
              <button type="button" onClick={() => store.send(q)}>
                {q}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
