/** @jsxImportSource preact */
import { useEffect, useState } from "preact/hooks";
import type { InboxConversation } from "../api/types.js";
import { Field, controlProps } from "../components/field.js";
import { Link } from "../components/link.js";
import { Empty, ErrorState, Loading } from "../components/states.js";
import { usePageTitle } from "../components/use-page-title.js";
import { rangeQuery, today } from "../export/date-range.js";
import { conversationsCsv, conversationsJson, download, exportFileName } from "../export/export.js";
import { type Msg, errorText, formatDateTime, formatNumber, useStrings } from "../i18n/lang.js";
import type { Strings } from "../i18n/strings.js";
import { liveRows } from "../live/site-live.js";
import { type InboxTab, inboxOrder } from "../live/inbox-order.js";
import { NotificationsButton } from "./notifications-button.js";
import { location, navigate } from "../state/router.js";
import { api } from "../state/session.js";
import type { SitePageProps } from "./site-page.js";

const PAGE_SIZE = 20;

interface Filters {
  q: string;
  from: string;
  to: string;
  /** "down": only conversations with an answer rated down; "": all */
  rating: string;
}

interface ListState {
  conversations: InboxConversation[];
  nextCursor: string | null;
  loading: boolean;
  error: unknown;
}

/** The site's conversations, newest activity first, filtered by text and days; more on request; exportable. */
export function ConversationsPage({ site }: SitePageProps) {
  const s = useStrings();
  const t = s.conversations;
  const heading = usePageTitle(`${t.title} · ${site.name}`);
  const query = location.value.query;
  const filters: Filters = {
    q: query.get("q") ?? "",
    from: query.get("from") ?? "",
    to: query.get("to") ?? "",
    rating: query.get("rating") === "down" ? "down" : "",
  };
  const tab: InboxTab = query.get("status") === "waiting" ? "waiting" : query.get("status") === "human" ? "human" : "all";
  const filterKey = JSON.stringify([filters, tab]);
  const [form, setForm] = useState<Filters>(filters);
  const [formError, setFormError] = useState<Msg | null>(null);
  const [list, setList] = useState<ListState>({ conversations: [], nextCursor: null, loading: true, error: null });
  const [generation, setGeneration] = useState(0);

  const fetchPage = (cursor: string | null) =>
    api().conversations(site.id, {
      q: filters.q || undefined,
      rating: filters.rating === "down" ? "down" : undefined,
      status: tab === "all" ? undefined : tab,
      ...rangeQuery(filters.from, filters.to),
      cursor: cursor ?? undefined,
      limit: PAGE_SIZE,
    });

  useEffect(() => {
    let live = true;
    setForm(filters);
    setList({ conversations: [], nextCursor: null, loading: true, error: null });
    fetchPage(null).then(
      (page) => live && setList({ conversations: page.conversations, nextCursor: page.nextCursor, loading: false, error: null }),
      (error: unknown) => live && setList({ conversations: [], nextCursor: null, loading: false, error }),
    );
    return () => {
      live = false;
    };
  }, [site.id, filterKey, generation]);

  const loadMore = async () => {
    if (!list.nextCursor) return;
    setList((l) => ({ ...l, loading: true, error: null }));
    try {
      const page = await fetchPage(list.nextCursor);
      setList((l) => ({
        conversations: [...l.conversations, ...page.conversations],
        nextCursor: page.nextCursor,
        loading: false,
        error: null,
      }));
    } catch (error) {
      setList((l) => ({ ...l, loading: false, error }));
    }
  };

  const apply = (next: Filters) => {
    if (next.from && next.to && next.from > next.to) {
      setFormError(() => (x: Strings) => x.conversations.dateOrder);
      return;
    }
    setFormError(null);
    const params = new URLSearchParams(Object.entries(next).filter(([, v]) => v.trim()) as Array<[string, string]>);
    if (tab !== "all") params.set("status", tab);
    const qs = params.toString();
    navigate(`/sites/${site.id}/conversations${qs ? `?${qs}` : ""}`);
  };

  const filtered = Boolean(filters.q || filters.from || filters.to || filters.rating);
  // What the stream told since: a row's newer state, and new rows of this tab (when no search narrows it).
  const rows = inboxOrder(list.conversations, liveRows.value, tab, !filtered);
  const tabHref = (next: InboxTab) => {
    const params = new URLSearchParams(location.value.query);
    if (next === "all") params.delete("status");
    else params.set("status", next);
    params.delete("cursor");
    const qs = params.toString();
    return `/sites/${site.id}/conversations${qs ? `?${qs}` : ""}`;
  };
  const exportAs = (kind: "csv" | "json") => {
    const day = today();
    if (kind === "csv") return download(conversationsCsv(rows), exportFileName(site.name, day, "csv"), "text/csv;charset=utf-8");
    const text = conversationsJson(rows, {
      site: { id: site.id, name: site.name },
      filters: {
        ...(filters.q ? { q: filters.q } : {}),
        ...(filters.from ? { from: filters.from } : {}),
        ...(filters.to ? { to: filters.to } : {}),
        ...(filters.rating === "down" ? { rating: "down" as const } : {}),
      },
      exportedAt: new Date().toISOString(),
    });
    download(text, exportFileName(site.name, day, "json"), "application/json");
  };

  return (
    <div class="page stack">
      <h1 ref={heading} tabIndex={-1}>
        {t.title}
      </h1>
      <div class="inbox-head">
        <nav class="tabs inbox-tabs" aria-label={s.inbox.tabsLabel}>
          {(["waiting", "human", "all"] as const).map((key) => (
            <Link key={key} to={tabHref(key)} class="tabs__tab" aria-current={key === tab ? "page" : undefined}>
              {s.inbox.tabs[key]}
            </Link>
          ))}
        </nav>
        <NotificationsButton />
      </div>
      <form class="card filters" role="search" aria-label={t.filters} onSubmit={(e) => (e.preventDefault(), apply(form))} noValidate>
        <Field id="filter-q" label={t.search} class="filters__q">
          <input
            {...controlProps("filter-q", null, null)}
            type="search"
            placeholder={t.searchPlaceholder}
            value={form.q}
            maxLength={200}
            onInput={(e) => setForm({ ...form, q: e.currentTarget.value })}
          />
        </Field>
        <Field id="filter-from" label={t.from} error={formError?.(s)}>
          <input
            {...controlProps("filter-from", null, formError?.(s))}
            type="date"
            value={form.from}
            max={form.to || undefined}
            onInput={(e) => setForm({ ...form, from: e.currentTarget.value })}
          />
        </Field>
        <Field id="filter-to" label={t.to}>
          <input
            {...controlProps("filter-to", null, null)}
            type="date"
            value={form.to}
            min={form.from || undefined}
            onInput={(e) => setForm({ ...form, to: e.currentTarget.value })}
          />
        </Field>
        <label class="filters__check">
          <input
            id="filter-rating"
            type="checkbox"
            checked={form.rating === "down"}
            onChange={(e) => setForm({ ...form, rating: e.currentTarget.checked ? "down" : "" })}
          />{" "}
          {t.ratedDownOnly}
        </label>
        <div class="button-row filters__actions">
          <button type="submit" class="button button--primary">
            {t.apply}
          </button>
          {filtered && (
            <button type="button" class="button" onClick={() => apply({ q: "", from: "", to: "", rating: "" })}>
              {t.clear}
            </button>
          )}
        </div>
      </form>

      {list.loading && !rows.length ? (
        <Loading />
      ) : list.error && !rows.length ? (
        <ErrorState error={list.error} onRetry={() => setGeneration((g) => g + 1)} />
      ) : !rows.length ? (
        <Empty>
          {filtered ? t.emptyFiltered : tab === "waiting" ? s.inbox.emptyWaiting : tab === "human" ? s.inbox.emptyHuman : t.empty}
        </Empty>
      ) : (
        <section class="card" aria-labelledby="list-count">
          <div class="list-head">
            <p id="list-count" class="list-head__count">
              {t.shown(rows.length)}
            </p>
            <div class="button-row" role="group" aria-label={t.exportHint}>
              <button type="button" class="button" onClick={() => exportAs("csv")}>
                {t.exportCsv}
              </button>
              <button type="button" class="button" onClick={() => exportAs("json")}>
                {t.exportJson}
              </button>
            </div>
          </div>
          <div class="table-scroll">
            <table class="table conversations-table">
              <thead>
                <tr>
                  <th scope="col">{t.conversation}</th>
                  <th scope="col">{s.inbox.status}</th>
                  <th scope="col">{t.visitor}</th>
                  <th scope="col" class="num">
                    {t.messages}
                  </th>
                  <th scope="col">{t.lastActivity}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((c) => (
                  <tr key={c.id} class={c.status === "waiting" ? "conversations-table__row--waiting" : undefined}>
                    <td class="conversations-table__title">
                      <Link to={`/sites/${site.id}/conversations/${c.id}`}>{c.title.trim() || t.untitled}</Link>
                      {(c.unread ?? 0) > 0 && c.status !== "bot" && (
                        <span class="unread" title={s.inbox.unread(c.unread!)}>
                          <span aria-hidden="true">{formatNumber(c.unread!)}</span>
                          <span class="visually-hidden">{s.inbox.unread(c.unread!)}</span>
                        </span>
                      )}
                    </td>
                    <td>
                      {c.status && (
                        <span class={`badge conversation-status conversation-status--${c.status}`}>{s.inbox.statuses[c.status]}</span>
                      )}
                      {c.assigneeName && <span class="muted small conversation-assignee"> {c.assigneeName}</span>}
                    </td>
                    <td>
                      <code class="small">{c.visitorId.slice(-8)}</code>
                      {c.visitorEmail && (
                        <span class="conversation-email small">
                          <span class="visually-hidden">{s.inbox.email}: </span>
                          {c.visitorEmail}
                        </span>
                      )}
                    </td>
                    <td class="num">{formatNumber(c.messageCount)}</td>
                    <td>
                      <time dateTime={c.updatedAt}>{formatDateTime(c.updatedAt)}</time>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div class="list-foot">
            {list.error ? (
              <p class="field__error" role="alert">
                {errorText(s, list.error)}
              </p>
            ) : null}
            {list.nextCursor ? (
              <button type="button" class="button" onClick={loadMore} disabled={list.loading}>
                {list.loading ? t.loadingMore : t.loadMore}
              </button>
            ) : (
              <p class="muted">{t.allShown}</p>
            )}
          </div>
        </section>
      )}
    </div>
  );
}
