/** @jsxImportSource preact */
import type { Ref } from "preact";
import type { ChatStore } from "../chat/chat-store.js";
import { MAX_MESSAGE_CHARS } from "../../../server/src/shared/message-limits.js";
import type { Strings } from "../strings.js";
import { SendIcon, StopIcon } from "./icons.js";

export interface ComposerProps {
  store: ChatStore;
  strings: Strings;
  inputRef: Ref<HTMLTextAreaElement>;
}

/** Grows with its text up to a few lines (CSS field-sizing where supported does the same). */
function fit(el: HTMLTextAreaElement) {
  el.style.height = "auto";
  el.style.height = `${Math.min(el.scrollHeight, 120)}px`;
}

export function Composer({ store, strings, inputRef }: ComposerProps) {
  const draft = store.draft;
  const Media = store.media.value;
  const phase = store.phase.value;
  const answering = phase === "waiting" || phase === "streaming";

  const submit = (el: HTMLTextAreaElement | null) => {
    if (store.send(draft.value)) {
      draft.value = "";
      if (el) {
        el.value = "";
        fit(el);
      }
    }
  };

  return (
    <form
      class="f"
      onSubmit={(e) => {
        e.preventDefault();
        submit(e.currentTarget.querySelector("textarea"));
      }}
    >
      {Media && <Media.C />}
      <textarea
        ref={inputRef}
        rows={1}
        maxLength={MAX_MESSAGE_CHARS}
        aria-label={strings.messageLabel}
        placeholder={strings.placeholder}
        value={draft.value}
        onInput={(e) => {
          draft.value = e.currentTarget.value;
          fit(e.currentTarget);
        }}
        onKeyDown={(e) => {
          // Enter sends; Shift+Enter is a new line; Enter that confirms an IME candidate (pinyin) is neither.
          if (e.key !== "Enter" || e.shiftKey || e.isComposing || e.keyCode === 229) return;
          e.preventDefault();
          submit(e.currentTarget);
        }}
      />
      {answering ? (
        <button type="button" class="send stop" aria-label={strings.stop} title={strings.stop} onClick={() => store.stop()}>
          <StopIcon />
        </button>
      ) : (
        <button
          type="submit"
          class="send"
          aria-label={strings.send}
          title={strings.send}
          disabled={(!draft.value.trim() && !store.pending.value.length) || phase !== "idle"}
        >
          <SendIcon />
        </button>
      )}
    </form>
  );
}
