/** @jsxImportSource preact */
import { useState } from "preact/hooks";
import type { KnowledgeResult } from "../api/types.js";
import { Field, controlProps } from "../components/field.js";
import { Notice } from "../components/states.js";
import { formatNumber, useStrings } from "../i18n/lang.js";
import { api } from "../state/session.js";
import { httpHref, knowledgeErrorText } from "./knowledge-text.js";

/** "What will the bot see?": the passages a question finds, with their scores and whether they count. */
export function KnowledgeSearch({ siteId }: { siteId: string }) {
  const s = useStrings();
  const t = s.knowledge;
  const [q, setQ] = useState("");
  const [busy, setBusy] = useState(false);
  const [results, setResults] = useState<KnowledgeResult[] | null>(null);
  const [failure, setFailure] = useState<unknown>(null);

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    if (!q.trim() || busy) return;
    setBusy(true);
    setFailure(null);
    try {
      setResults((await api().searchKnowledge(siteId, q.trim())).results);
    } catch (error) {
      setFailure(error);
      setResults(null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card stack" aria-labelledby="knowledge-search">
      <h2 id="knowledge-search">{t.searchTitle}</h2>
      <p class="muted">{t.searchHint}</p>
      <form class="search-row" onSubmit={onSubmit} role="search" aria-labelledby="knowledge-search">
        <Field id="knowledge-q" label={t.searchLabel}>
          <input
            {...controlProps("knowledge-q", null, null)}
            type="search"
            value={q}
            maxLength={1000}
            onInput={(e) => setQ(e.currentTarget.value)}
          />
        </Field>
        <button type="submit" class="button button--primary" disabled={busy || !q.trim()}>
          {busy ? t.searching : t.search}
        </button>
      </form>
      <Notice text={failure ? knowledgeErrorText(s, failure) : null} kind="error" />
      <div aria-live="polite">
        {results && results.length === 0 && <p class="muted">{t.searchNone}</p>}
        {results && results.length > 0 && (
          <ol class="results">
            {results.map((r, i) => {
              const href = httpHref(r.url);
              return (
                <li key={`${r.sourceId}-${i}`} class={`result${r.relevant ? " result--relevant" : ""}`}>
                  <p class="result__source">
                    <span class="muted small">{t.fromSource} </span>
                    {href ? (
                      <a href={href} target="_blank" rel="noopener noreferrer">
                        {r.title} <span class="visually-hidden">{t.opensNewTab}</span>
                      </a>
                    ) : (
                      <strong>{r.title}</strong>
                    )}
                  </p>
                  {r.heading && <p class="result__heading">{r.heading}</p>}
                  <p class="result__text">{r.text}</p>
                  <p class="result__meta small">
                    <span class="muted">{t.score(formatNumber(Math.round(r.score * 1000) / 1000))}</span>{" "}
                    <span class={`status-badge status-badge--${r.relevant ? "ready" : "queued"}`}>
                      {r.relevant ? t.relevant : t.notRelevant}
                    </span>
                  </p>
                </li>
              );
            })}
          </ol>
        )}
      </div>
    </section>
  );
}
