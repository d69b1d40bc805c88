/** @jsxImportSource preact */
import { useEffect, useRef, useState } from "preact/hooks";
import type { KnowledgeSource } from "../api/types.js";
import { ConfirmDialog } from "../components/confirm-dialog.js";
import { Link } from "../components/link.js";
import { Empty, ErrorState, Loading, Notice } from "../components/states.js";
import { usePageTitle } from "../components/use-page-title.js";
import { useResource } from "../components/use-resource.js";
import { type Msg, formatDateTime, formatNumber, useStrings } from "../i18n/lang.js";
import { api } from "../state/session.js";
import { formatBytes } from "../validation/knowledge-files.js";
import { KnowledgeAdd } from "./knowledge-add.js";
import { KnowledgeSearch } from "./knowledge-search.js";
import { httpHref, isPending, knowledgeErrorText, mergeSources, sourceErrorText } from "./knowledge-text.js";
import type { SitePageProps } from "./site-page.js";

/** How often the list is read again while a source is queued or processing. */
export const KNOWLEDGE_POLL_MS = 2_000;

const KIND_ICONS: Record<KnowledgeSource["kind"], string> = { file: "📄", url: "🌐", text: "📝", faq: "❓" };

/**
 * The site's knowledge base: its sources and their state (read again every few seconds while one
 * is being processed), adding files, pages, text and FAQs, and what the bot would be given for a
 * question. Whatever a source holds is shown as text, never as HTML.
 */
export function KnowledgePage({ site }: SitePageProps) {
  const s = useStrings();
  const t = s.knowledge;
  const heading = usePageTitle(`${t.title} · ${site.name}`);
  const list = useResource(
    () =>
      api()
        .knowledge(site.id)
        .then((r) => r.sources),
    [site.id],
  );
  const [notice, setNotice] = useState<{ text: Msg; kind: "ok" | "error" } | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [toDelete, setToDelete] = useState<KnowledgeSource | null>(null);
  const [deleteError, setDeleteError] = useState<unknown>(null);
  const sourcesHeading = useRef<HTMLHeadingElement>(null);

  const sources = list.data;
  const pending = !!sources?.some(isPending);
  // Polls while something is on its way; a new answer (or a failed read) sets the next one. Unmounting clears it.
  useEffect(() => {
    if (!pending) return;
    const timer = setTimeout(list.reload, KNOWLEDGE_POLL_MS);
    return () => clearTimeout(timer);
  }, [sources, list.error, pending, list.reload]);

  // The list as last shown or set: uploads call back one after the other from the render they started in.
  const latest = useRef(list.data);
  latest.current = list.data;
  const show = (next: KnowledgeSource[]) => {
    latest.current = next;
    list.set(next);
  };
  const changed = (items: KnowledgeSource[]) => show(mergeSources(latest.current ?? [], items));

  const refresh = async (source: KnowledgeSource) => {
    setBusyId(source.id);
    setNotice(null);
    try {
      const { source: next } = await api().refreshKnowledge(site.id, source.id);
      changed([next]);
      setNotice({ text: (x) => x.knowledge.refreshed(source.title), kind: "ok" });
    } catch (error) {
      setNotice({ text: (x) => knowledgeErrorText(x, error), kind: "error" });
    } finally {
      setBusyId(null);
    }
  };

  const confirmDelete = async () => {
    if (!toDelete) return;
    const gone = toDelete;
    setBusyId(gone.id);
    setDeleteError(null);
    try {
      await api().deleteKnowledge(site.id, gone.id);
      show((latest.current ?? []).filter((x) => x.id !== gone.id));
      setToDelete(null);
      setNotice({ text: (x) => x.knowledge.deleted(gone.title), kind: "ok" });
      // Its row (and its Delete button) are gone: focus goes to the list's heading.
      setTimeout(() => sourcesHeading.current?.focus(), 0);
    } catch (error) {
      setDeleteError(error);
    } finally {
      setBusyId(null);
    }
  };

  return (
    <div class="page knowledge">
      <div>
        <h1 ref={heading} tabIndex={-1}>
          {t.title}
        </h1>
        <p class="muted">{t.intro}</p>
        <p class="muted small">
          {t.modeNote} <Link to={`/sites/${site.id}/settings`}>{s.tabs.settings}</Link>
        </p>
      </div>

      <section class="card stack" aria-labelledby="knowledge-sources">
        <h2 id="knowledge-sources" ref={sourcesHeading} tabIndex={-1}>
          {t.sources}
        </h2>
        <Notice text={notice?.text(s) ?? null} kind={notice?.kind} />
        {!sources ? (
          list.error ? (
            <ErrorState error={list.error} onRetry={list.reload} />
          ) : (
            <Loading />
          )
        ) : sources.length === 0 ? (
          <Empty>{t.empty}</Empty>
        ) : (
          <>
            {pending && <p class="muted small">{t.pendingNote}</p>}
            {list.error && <ErrorState error={list.error} onRetry={list.reload} />}
            <ul class="source-list">
              {sources.map((source) => (
                <SourceRow
                  key={source.id}
                  source={source}
                  busy={busyId === source.id}
                  onRefresh={() => void refresh(source)}
                  onDelete={() => {
                    setDeleteError(null);
                    setToDelete(source);
                  }}
                />
              ))}
            </ul>
          </>
        )}
      </section>

      <KnowledgeAdd siteId={site.id} onAdded={changed} />
      <KnowledgeSearch siteId={site.id} />

      {toDelete && (
        <ConfirmDialog
          title={t.deleteTitle(toDelete.title)}
          confirmLabel={t.deleteConfirm}
          busy={busyId === toDelete.id}
          busyLabel={t.deleting}
          error={deleteError ? knowledgeErrorText(s, deleteError) : null}
          danger
          onConfirm={() => void confirmDelete()}
          onCancel={() => setToDelete(null)}
        >
          <p>{t.deleteBody}</p>
        </ConfirmDialog>
      )}
    </div>
  );
}

function SourceRow({ source, busy, onRefresh, onDelete }: { source: KnowledgeSource; busy: boolean; onRefresh(): void; onDelete(): void }) {
  const s = useStrings();
  const t = s.knowledge;
  const href = source.kind === "url" ? httpHref(source.url) : null;
  const failed = source.status === "failed";
  return (
    <li class={`source source--${source.status}`}>
      <div class="source__main">
        <span class="source__kind">
          <span aria-hidden="true">{KIND_ICONS[source.kind]}</span> {t.kinds[source.kind]}
        </span>
        <p class="source__title">
          {href ? (
            <a href={href} target="_blank" rel="noopener noreferrer">
              {source.title} <span class="visually-hidden">{t.opensNewTab}</span>
            </a>
          ) : (
            source.title
          )}
        </p>
        <p class="source__state">
          <span class={`status-badge status-badge--${source.status}`}>
            {isPending(source) && <span class="spinner spinner--small" aria-hidden="true" />}
            {t.status[source.status]}
          </span>{" "}
          {source.status === "ready" && (
            <span class="muted small">{t.readyDetail(source.chunks, formatNumber(source.chunks), formatBytes(source.bytes))}</span>
          )}
          {source.progress && source.progress.chunks > 0 && (
            <span class="muted small">
              {t.progressDetail(formatNumber(source.progress.embedded), formatNumber(source.progress.chunks))}
            </span>
          )}
          <span class="muted small source__updated">{t.updated(formatDateTime(source.updatedAt))}</span>
        </p>
        {failed && (
          <p class="source__error" role="note">
            {sourceErrorText(s, source)}
          </p>
        )}
      </div>
      <div class="source__actions button-row">
        <button
          type="button"
          class="button"
          aria-label={failed ? t.retryLabel(source.title) : t.refreshLabel(source.title)}
          onClick={onRefresh}
          disabled={busy || isPending(source)}
        >
          {failed ? s.retry : t.refresh}
        </button>
        <button
          type="button"
          class="button button--danger-text"
          aria-label={t.deleteLabel(source.title)}
          onClick={onDelete}
          disabled={busy}
        >
          {s.sites.delete}
        </button>
      </div>
    </li>
  );
}
