/** @jsxImportSource preact */
import { useRef, useState } from "preact/hooks";
import type { InboxConversation, Message, SiteRole } from "../api/types.js";
import { Notice } from "../components/states.js";
import { useResource } from "../components/use-resource.js";
import { useSave } from "../components/use-save.js";
import { errorText, useStrings } from "../i18n/lang.js";
import { upsertRow } from "../live/site-live.js";
import { api, owner } from "../state/session.js";

/** One typing signal at most this often while the member types (the visitor's widget shows it for a few seconds). */
export const TYPING_EVERY_MS = 3000;

/** The team's reply: Enter sends, Shift+Enter starts a new line; the visitor sees it live. */
export function ReplyComposer({
  siteId,
  conversationId,
  onSent,
}: {
  siteId: string;
  conversationId: string;
  onSent(message: Message): void;
}) {
  const s = useStrings();
  const t = s.reply;
  const [text, setText] = useState("");
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const lastTyping = useRef(0);
  const box = useRef<HTMLTextAreaElement>(null);

  const typing = () => {
    const now = Date.now();
    if (now - lastTyping.current < TYPING_EVERY_MS) return;
    lastTyping.current = now;
    api()
      .typing(siteId, conversationId)
      .catch(() => {}); // only a courtesy to the visitor
  };

  const send = async () => {
    const content = text.trim();
    if (!content || sending) return;
    setSending(true);
    setError(null);
    try {
      const { message } = await api().reply(siteId, conversationId, content);
      setText("");
      lastTyping.current = 0;
      onSent(message);
    } catch (failure) {
      setError(failure);
    } finally {
      setSending(false);
      setTimeout(() => box.current?.focus(), 0);
    }
  };

  return (
    <form
      class="card reply"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
      noValidate
    >
      <label for="reply-text" class="reply__label">
        {t.label}
      </label>
      <textarea
        id="reply-text"
        ref={box}
        rows={3}
        maxLength={4000}
        placeholder={t.placeholder}
        value={text}
        disabled={sending}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={error ? "reply-error" : undefined}
        onInput={(e) => {
          setText(e.currentTarget.value);
          setError(null);
          if (e.currentTarget.value.trim()) typing();
        }}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            void send();
          }
        }}
      />
      {error ? (
        <p class="field__error" id="reply-error" role="alert">
          {errorText(s, error)}
        </p>
      ) : null}
      <div class="button-row">
        <button type="submit" class="button button--primary" disabled={sending || !text.trim()}>
          {sending ? t.sending : t.send}
        </button>
      </div>
    </form>
  );
}

/** Take over, hand back to the bot, close; assign to oneself or to no one (the owner, who sees the team, to anyone on it). */
export function ConversationControls({
  siteId,
  role,
  conversation: c,
  onChange,
}: {
  siteId: string;
  role: SiteRole;
  conversation: InboxConversation;
  onChange(conversation: InboxConversation): void;
}) {
  const s = useStrings();
  const t = s.reply;
  const save = useSave();
  const me = owner.value?.id ?? null;
  const status = c.status ?? "bot";
  // Only the owner may list the team (docs/people.md); members assign to themselves.
  const team = useResource(() => (role === "owner" ? api().team(siteId) : Promise.resolve(null)), [siteId, role]);
  const members = team.data?.members ?? [];

  const patch = (body: { status?: "bot" | "human" | "closed"; assigneeId?: string | null }) =>
    save.run(() => api().patchConversation(siteId, c.id, body), {
      onSaved: ({ conversation }) => {
        const row = { ...c, ...conversation };
        upsertRow(row);
        onChange(row);
      },
    });

  return (
    <section class="card conversation-controls" aria-label={t.controls}>
      <div class="button-row">
        {status !== "human" && (
          <button
            type="button"
            class="button button--primary"
            disabled={save.busy}
            onClick={() => void patch({ status: "human", ...(me ? { assigneeId: me } : {}) })}
          >
            {status === "closed" ? t.reopen : t.takeOver}
          </button>
        )}
        {status !== "bot" && status !== "closed" && (
          <button type="button" class="button" disabled={save.busy} onClick={() => void patch({ status: "bot" })}>
            {t.handBack}
          </button>
        )}
        {status !== "closed" && (
          <button type="button" class="button" disabled={save.busy} onClick={() => void patch({ status: "closed" })}>
            {t.close}
          </button>
        )}
      </div>
      <p class="conversation-controls__assignee">
        <span>{c.assigneeName ? t.assignedTo(c.assigneeName) : t.unassigned}</span>{" "}
        {me && c.assigneeId !== me && (
          <button type="button" class="button button--small" disabled={save.busy} onClick={() => void patch({ assigneeId: me })}>
            {t.assignToMe}
          </button>
        )}
        {c.assigneeId && (
          <button type="button" class="button button--small" disabled={save.busy} onClick={() => void patch({ assigneeId: null })}>
            {t.unassign}
          </button>
        )}
        {members.length > 1 && (
          <>
            <label class="visually-hidden" for="conversation-assignee">
              {t.assignTo}
            </label>
            <select
              id="conversation-assignee"
              class="conversation-controls__pick"
              disabled={save.busy}
              value={c.assigneeId ?? ""}
              onChange={(e) => void patch({ assigneeId: e.currentTarget.value || null })}
            >
              <option value="">{t.unassigned}</option>
              {members.map((m) => (
                <option key={m.accountId} value={m.accountId}>
                  {m.displayName}
                </option>
              ))}
            </select>
          </>
        )}
      </p>
      <Notice text={save.notice?.text(s) ?? null} kind={save.notice?.kind} />
    </section>
  );
}
