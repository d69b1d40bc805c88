/** @jsxImportSource preact */
import { computed, effect, signal, useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import type { ApiError } from "../api/api-error.js";
import type { ConversationStatus, HandoffAnswer, HandoffHost, HandoffUi, LiveEventData, ServerMessage } from "../shared/contract.js";
import { HANDOFF_STRINGS } from "../strings.js";
import { addStyles } from "../styles/add-styles.js";
import { HANDOFF_CSS } from "./handoff-css.js";
import { type Cursor, follow } from "./live.js";

/** How long "… is typing" stays without another typing event (the dashboard sends one every few seconds). */
const TYPING_MS = 6_000;
/** The widget's check; the server checks again (400 invalid_body). */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const FOLLOWED: ConversationStatus[] = ["waiting", "human"];

/**
 * One widget's handoff to a person: the "Talk to a person" buttons, the status line, agent
 * messages and typing from the live stream (only while the panel is open and a person is
 * involved), and the email form when no one comes. Everything the server sends is rendered as text.
 */
export function createHandoff({ store, client, lang, on }: HandoffHost): HandoffUi {
  const t = HANDOFF_STRINGS[lang];
  const agent = signal<string | null>(null);
  const typing = signal<string | null>(null);
  /** the status line after a person left: closed, or back to the bot */
  const after = signal<ConversationStatus | null>(null);
  const asking = signal(false);
  const failed = signal(false);
  /** ask: the email form is shown, and why; sent: its thank-you (with the address) */
  const email = signal<{ ask?: "offline" | "noOne"; sent?: string } | null>(null);
  let waitSeconds = 120;
  let typingTimer: ReturnType<typeof setTimeout> | undefined;

  const enc = () => encodeURIComponent(client.conversationId() || "");

  function addAgentMessage(m: ServerMessage): void {
    if (m.role !== "agent" || store.messages.peek().some((x) => x.id === m.id)) return;
    const message = store.add("agent", m.content, "complete", m.id);
    message.name = m.authorName;
    // The page hears of a person's message as of any other (BailianChat.on("message")).
    store.report(message);
    if (m.authorName) agent.value = m.authorName;
    typing.value = null;
  }

  const setStatus = (status: ConversationStatus, agentName?: string | null) => {
    if (agentName) agent.value = agentName;
    store.status.value = status;
  };

  function onEvent<E extends keyof LiveEventData>(event: E, data: LiveEventData[E]): void {
    if (event === "message") addAgentMessage((data as LiveEventData["message"]).message);
    else if (event === "status") setStatus((data as LiveEventData["status"]).status, (data as LiveEventData["status"]).agentName);
    else if (event === "typing") {
      typing.value = (data as LiveEventData["typing"]).agentName || agent.peek() || t.someone;
      clearTimeout(typingTimer);
      typingTimer = setTimeout(() => (typing.value = null), TYPING_MS);
    }
  }

  // The status line remembers how a person's part ended; a new request or conversation clears it.
  let previous = store.status.peek();
  effect(() => {
    const status = store.status.value;
    if (FOLLOWED.includes(status)) after.value = null;
    else if (FOLLOWED.includes(previous) || status === "closed") after.value = status;
    if (!client.conversationId()) after.value = null;
    if (!FOLLOWED.includes(status)) typing.value = null;
    previous = status;
  });

  // The live connection: only while the panel is open and a person is involved. Its cursor
  // outlives a closed panel: opened again, the stream brings what was missed.
  const followed = computed(() => store.open.value && FOLLOWED.includes(store.status.value));
  let cursor: Cursor = { conversationId: "" };
  effect(() => {
    const id = client.conversationId();
    if (!followed.value || !id) return;
    if (cursor.conversationId !== id) cursor = { conversationId: id };
    const ctl = new AbortController();
    void follow(
      client,
      cursor,
      {
        event: onEvent,
        list: (list) => {
          list.messages.forEach(addAgentMessage);
          if (list.status) setStatus(list.status);
        },
      },
      ctl.signal,
    );
    return () => ctl.abort();
  });

  // No one came within the site's wait: the visitor may leave an email instead.
  effect(() => {
    if (store.status.value !== "waiting" || email.peek()) return;
    const timer = setTimeout(() => (email.value = { ask: "noOne" }), waitSeconds * 1000);
    return () => clearTimeout(timer);
  });

  async function ask(): Promise<void> {
    if (asking.peek()) return;
    asking.value = true;
    failed.value = false;
    try {
      client.conversationId() ?? (await client.createConversation());
      const res = await client.authed("POST", `/v1/conversations/${enc()}/handoff`, {});
      const answer: HandoffAnswer = await res.json();
      waitSeconds = answer.waitSeconds;
      email.value = answer.online ? null : { ask: "offline" };
      store.status.value = answer.conversation.status;
    } catch {
      failed.value = true;
    } finally {
      asking.value = false;
    }
  }

  const Talk = () => (
    <button type="button" class="hb" disabled={asking.value} onClick={() => void ask()}>
      {t.talk}
    </button>
  );

  function EmailForm() {
    const invalid = useSignal(false);
    const error = useSignal(false);
    const sending = useSignal(false);
    const submit = async (input: HTMLInputElement) => {
      const address = input.value.trim();
      invalid.value = address.length > 254 || !EMAIL.test(address);
      error.value = false;
      if (invalid.value) return input.focus();
      sending.value = true;
      try {
        await client.authed("POST", `/v1/conversations/${enc()}/lead`, { email: address });
        email.value = { sent: address };
      } catch (err) {
        // The chat chunk's ApiError, not this chunk's copy of the class: known by its code.
        if ((err as ApiError).code === "invalid_body") invalid.value = true;
        else error.value = true;
      } finally {
        sending.value = false;
      }
    };
    return (
      <form
        class="he"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit(e.currentTarget.elements[0] as HTMLInputElement);
        }}
      >
        <p id="bc-he">{t[email.value?.ask || "noOne"]}</p>
        <input
          type="email"
          autocomplete="email"
          aria-label={t.email}
          placeholder={t.email}
          aria-describedby="bc-he"
          aria-invalid={invalid.value ? "true" : "false"}
          maxLength={254}
        />
        <button type="submit" class="retry" disabled={sending.value}>
          {t.emailSend}
        </button>
        {(invalid.value || error.value) && (
          <div class="err" role="alert">
            {invalid.value ? t.emailInvalid : t.failed}
          </div>
        )}
      </form>
    );
  }
  function Bar() {
    const ref = useRef<HTMLDivElement>(null);
    useEffect(() => {
      const root = ref.current!.getRootNode() as ShadowRoot;
      addStyles(root, HANDOFF_CSS, root.querySelector("style")?.nonce);
    }, []);
    const status = store.status.value;
    // After a reload the name comes from the person's last message.
    const name =
      agent.value ||
      store.messages.value
        .filter((m) => m.role === "agent")
        .map((m) => m.name)
        .pop() ||
      t.someone;
    const line = asking.value
      ? t.asking
      : typing.value
        ? t.typing.replace("{name}", typing.value)
        : status === "waiting"
          ? t.waiting
          : status === "human"
            ? t.joined.replace("{name}", name)
            : after.value === "closed"
              ? t.closed
              : after.value === "bot"
                ? t.back
                : "";
    const mail = email.value;
    return (
      <div class="ho" ref={ref}>
        <div class="hs" role="status" aria-live="polite">
          {line}
        </div>
        {failed.value && (
          <div class="err" role="alert">
            {t.failed}
          </div>
        )}
        {mail?.sent && status !== "bot" ? (
          <p class="hs">{t.thanks.replace("{email}", mail.sent)}</p>
        ) : (
          mail?.ask && status === "waiting" && <EmailForm />
        )}
        {on && status === "bot" && !store.busy() && <Talk />}
      </div>
    );
  }

  return {
    B: Bar,
    O: () => (on && store.status.value === "bot" ? <Talk /> : null),
  };
}
