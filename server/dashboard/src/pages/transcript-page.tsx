/** @jsxImportSource preact */
import { useEffect, useState } from "preact/hooks";
import type { InboxConversation, Message } from "../api/types.js";
import { Link } from "../components/link.js";
import { Empty, ErrorState, Loading } from "../components/states.js";
import { usePageTitle } from "../components/use-page-title.js";
import { useResource } from "../components/use-resource.js";
import { formatDateTime, formatNumber, useStrings } from "../i18n/lang.js";
import { liveRows, markRead, onLiveMessage, upsertRow, viewing } from "../live/site-live.js";
import { api } from "../state/session.js";
import { MessageAttachments } from "./message-attachments.js";
import { ConversationControls, ReplyComposer } from "./transcript-reply.js";
// The widget's own renderer: the owner reads an answer as the visitor saw it, built as elements (never HTML).
import { renderMarkdown } from "../../../../widget/src/markdown/markdown.js";
import { citeMarkers, sourceHref, sourceName } from "../../../../widget/src/markdown/citations.js";
import type { SitePageProps } from "./site-page.js";

/** One conversation as it happened: every message with its status, tokens and timings. */
export function TranscriptPage({ site, conversationId }: SitePageProps & { conversationId: string }) {
  const s = useStrings();
  const t = s.transcript;
  const detail = useResource(() => api().conversation(site.id, conversationId), [site.id, conversationId]);
  // Messages the live stream brought since the page loaded (a visitor's, a colleague's reply), and our own replies.
  const [added, setAdded] = useState<Message[]>([]);
  const [changed, setChanged] = useState<InboxConversation | null>(null);
  useEffect(() => {
    viewing.value = conversationId;
    const stop = onLiveMessage((id, message) => id === conversationId && setAdded((list) => upsertMessage(list, message)));
    return () => {
      stop();
      if (viewing.value === conversationId) viewing.value = null;
    };
  }, [conversationId]);
  // Opening it marked it read on the server.
  useEffect(() => {
    if (detail.data) markRead(conversationId);
  }, [detail.data, conversationId]);
  const live = liveRows.value.get(conversationId);
  const loaded = detail.data?.conversation;
  const conversation: InboxConversation | undefined = loaded && {
    ...loaded,
    ...(live && live.updatedAt >= loaded.updatedAt ? live : {}),
    ...(changed && (!live || changed.updatedAt >= live.updatedAt) ? changed : {}),
  };
  const messages = detail.data ? added.reduce(upsertMessage, detail.data.messages) : [];
  // The inbox row says there are more messages than shown (a message event that did not reach this
  // page, say while it reconnected): read the conversation again, once per change of the row.
  const behind = Boolean(live && detail.data && !detail.loading && live.messageCount > messages.length);
  useEffect(() => {
    if (behind) detail.reload();
  }, [behind, live?.updatedAt, live?.messageCount]);
  const title = detail.data?.conversation.title.trim() || t.title;
  const heading = usePageTitle(`${title} · ${site.name}`);

  return (
    <div class="page stack">
      <Link to={`/sites/${site.id}/conversations`} class="crumb">
        ← {t.back}
      </Link>
      <h1 ref={heading} tabIndex={-1} class="transcript__title">
        {title}
      </h1>
      {!detail.data || !conversation ? (
        detail.error ? (
          <ErrorState error={detail.error} onRetry={detail.reload} />
        ) : (
          <Loading />
        )
      ) : (
        <>
          <dl class="facts">
            <div>
              <dt>{t.visitor}</dt>
              <dd>
                <code>{detail.data.conversation.visitorId}</code>
              </dd>
            </div>
            <div>
              <dt>{t.started}</dt>
              <dd>{formatDateTime(detail.data.conversation.createdAt)}</dd>
            </div>
            {conversation.status && (
              <div>
                <dt>{s.inbox.status}</dt>
                <dd>
                  <span class={`badge conversation-status conversation-status--${conversation.status}`}>
                    {s.inbox.statuses[conversation.status]}
                  </span>
                </dd>
              </div>
            )}
            {conversation.visitorEmail && (
              <div>
                <dt>{s.reply.email}</dt>
                <dd class="transcript__email">
                  <a href={`mailto:${conversation.visitorEmail}`}>{conversation.visitorEmail}</a>
                </dd>
              </div>
            )}
          </dl>
          <ConversationControls siteId={site.id} role={site.role ?? "owner"} conversation={conversation} onChange={setChanged} />
          {messages.length ? (
            <ol class="transcript" aria-live="polite" aria-relevant="additions">
              {messages.map((m) => (
                <MessageItem key={m.id} message={m} />
              ))}
            </ol>
          ) : (
            <Empty>{t.noMessages}</Empty>
          )}
          <ReplyComposer
            siteId={site.id}
            conversationId={conversationId}
            onSent={(message) => {
              setAdded((list) => upsertMessage(list, message));
              // A reply hands the conversation to the writer (docs/people.md): said at once, the stream confirms.
              const row = { ...conversation, status: "human" as const, updatedAt: message.createdAt };
              setChanged(row);
              upsertRow(row);
            }}
          />
        </>
      )}
    </div>
  );
}

function MessageItem({ message: m }: { message: Message }) {
  const s = useStrings();
  const t = s.transcript;
  const ms = (n: number | null) => (n === null ? null : s.usage.ms(formatNumber(n)));
  const facts: Array<[string, string | null]> =
    m.role === "assistant"
      ? [
          [t.tokensIn, m.promptTokens === null ? null : formatNumber(m.promptTokens)],
          [t.tokensOut, m.completionTokens === null ? null : formatNumber(m.completionTokens)],
          [t.ttft, ms(m.ttftMs)],
          [t.latency, ms(m.latencyMs)],
          [t.model, m.model],
          [t.errorCode, m.errorCode],
        ]
      : [];
  return (
    <li class={`message message--${m.role}`} data-cites>
      <div class="message__head">
        <span class="message__role">{m.role === "agent" && m.authorName ? s.reply.agentSaid(m.authorName) : t.roles[m.role]}</span>
        <time dateTime={m.createdAt} class="muted small">
          {formatDateTime(m.createdAt)}
        </time>
        <span class={`badge badge--${m.status}`}>
          <span class="visually-hidden">{t.statusLabel}: </span>
          {t.status[m.status]}
        </span>
      </div>
      {!m.content ? (
        <p class="message__text muted">{t.empty}</p>
      ) : m.role === "assistant" ? (
        <div class="message__text md">
          {renderMarkdown(
            m.content,
            citeMarkers(m.sources, (c) => t.citation(String(c.n), sourceName(c))),
          )}
        </div>
      ) : (
        <p class="message__text message__text--plain">{m.content}</p>
      )}
      <MessageAttachments attachments={m.attachments} />
      {m.sources.length > 0 && <Sources message={m} />}
      {m.feedback && (
        <div class={`message__rating message__rating--${m.feedback.rating} small`}>
          <p>{t.rating[m.feedback.rating]}</p>
          {m.feedback.comment && (
            <blockquote aria-label={t.ratingComment} class="message__rating-comment">
              {m.feedback.comment}
            </blockquote>
          )}
        </div>
      )}
      {m.errorCode && t.reasons[m.errorCode] && <p class="message__reason small">{t.reasons[m.errorCode]}</p>}
      {facts.some(([, v]) => v !== null) && (
        <dl class="message__facts">
          {facts
            .filter(([, v]) => v !== null)
            .map(([label, value]) => (
              <div key={label}>
                <dt>{label}</dt>
                <dd>{value}</dd>
              </div>
            ))}
        </dl>
      )}
    </li>
  );
}

/** `list` with `message` in it: replaced when it is there (a later state of it), else added in order. */
function upsertMessage(list: readonly Message[], message: Message): Message[] {
  const at = list.findIndex((m) => m.id === message.id);
  if (at >= 0) return list.map((m, i) => (i === at ? message : m));
  // By seq; a message in the visitor's shape (no seq) by its time.
  return [...list, message].sort((a, b) =>
    typeof a.seq === "number" && typeof b.seq === "number" && a.seq !== b.seq ? a.seq - b.seq : a.createdAt < b.createdAt ? -1 : 1,
  );
}

/** What the answer cited, numbered as its markers; links only for http/https pages (markdown/citations.ts). */
function Sources({ message }: { message: Message }) {
  const t = useStrings().transcript;
  return (
    <div class="message__sources">
      <p class="message__sources-title small">{t.sources}</p>
      <ol>
        {message.sources.map((s) => {
          const href = sourceHref(s);
          return (
            <li key={s.n} data-n={s.n} tabIndex={-1}>
              <span class="message__source-n">{s.n}</span>{" "}
              {href ? (
                <a href={href} target="_blank" rel="noopener noreferrer">
                  {sourceName(s)}
                </a>
              ) : (
                <span>{sourceName(s)}</span>
              )}
            </li>
          );
        })}
      </ol>
    </div>
  );
}
