/** @jsxImportSource preact */
import { useSignal, useSignalEffect } from "@preact/signals";
import { useRef } from "preact/hooks";
import type { ChatStore, ViewMessage } from "../chat/chat-store.js";
import { citeMarkers } from "../markdown/citations.js";
import { renderMarkdown } from "../markdown/markdown.js";
import type { Strings } from "../strings.js";
import { SourceList } from "./sources.js";

/** 👍/👎 under a finished answer; after 👎 an optional comment (≤ 500 characters, as the server keeps). */
function Rate({ message, store, strings }: { message: ViewMessage; store: ChatStore; strings: Strings }) {
  const asking = useSignal(false);
  const rating = message.rating.value;
  const button = (value: "up" | "down", label: string, icon: string) => (
    <button
      type="button"
      aria-label={label}
      aria-pressed={rating === value ? "true" : "false"}
      onClick={() => {
        void store.rate(message, value);
        asking.value = value === "down";
      }}
    >
      {icon}
    </button>
  );
  return (
    <div class="fb">
      {button("up", strings.rateUp, "👍")}
      {button("down", strings.rateDown, "👎")}
      {asking.value && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void store.rate(message, "down", (e.currentTarget.elements[0] as HTMLInputElement).value.trim());
            asking.value = false;
          }}
        >
          <input maxLength={500} aria-label={strings.comment} placeholder={strings.comment} />
          <button type="submit" class="retry">
            {strings.send}
          </button>
        </form>
      )}
    </div>
  );
}

function Bubble({ message, store, strings }: { message: ViewMessage; store: ChatStore; strings: Strings }) {
  const status = message.status.value;
  const text = message.text.value;
  const user = message.role === "user";
  const agent = message.role === "agent";
  const Handoff = store.handoff.value;
  const Media = store.media.value;
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
    <div class={`m ${user ? "u" : agent ? "a g" : "a"}`} data-status={status} data-cites>
      {/* A person's reply: their name (from the server, as text), and their text as they wrote it. */}
      {agent ? <b class="who">{message.name}</b> : <span class="sr">{user ? strings.you : strings.assistant}</span>}
      {user || agent
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
      {Media && <Media.M m={message} s={status} />}
      {note && <div class="note">{note}</div>}
      {message.offer && Handoff && <Handoff.O />}
      {message.role === "assistant" && message.id && text && status !== "streaming" && (
        <Rate message={message} store={store} strings={strings} />
      )}
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
      // Named after the bot (the panel's title): no new string in the chat chunk's budget.
      aria-labelledby="bc-title"
      aria-live="polite"
      aria-busy={phase !== "idle" ? "true" : "false"}
      onScroll={(e) => {
        const el = e.currentTarget;
        pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
      }}
      // A picture that finishes loading grows the log after it was followed: follow it again.
      onLoadCapture={(e) => {
        if (pinned.current) e.currentTarget.scrollTop = e.currentTarget.scrollHeight;
      }}
    >
      {welcome && <div class="m a welcome">{renderMarkdown(welcome)}</div>}
      {messages.map((m) => (
        <Bubble key={m.key} message={m} store={store} strings={strings} />
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
