/** @jsxImportSource preact */
import { UsageChart } from "../charts/usage-chart.js";
import { seriesSummary, type UsageKey } from "../charts/shape.js";
import { ErrorState, Loading } from "../components/states.js";
import { usePageTitle } from "../components/use-page-title.js";
import { useResource } from "../components/use-resource.js";
import { formatDay, formatNumber, useStrings } from "../i18n/lang.js";
import type { Strings } from "../i18n/strings.js";
import { api } from "../state/session.js";
import type { QuotaData, UsageResponse } from "../api/types.js";
import type { SitePageProps } from "./site-page.js";

const COLOURS = {
  conversations: "#4f46e5",
  messages: "#0e7490",
  promptTokens: "#7c3aed",
  completionTokens: "#db2777",
  errors: "#dc2626",
  ttftP50Ms: "#059669",
  ttftP95Ms: "#d97706",
  ratedUp: "#16a34a",
  ratedDown: "#dc2626",
} as const;

type UsageStrings = Strings["usage"];

/** A time in ms, or the dash of a day without one. */
const msText = (t: UsageStrings, n: number | null) => (n === null ? t.none : t.ms(formatNumber(n)));

/** A share 0–1 as a percentage, or the dash without answers. */
const shareText = (t: UsageStrings, share: number | null) => (share === null ? t.none : `${Math.round(share * 1000) / 10}%`);

/** One chart of the page: what it draws and how its description reads. */
interface ChartSpec {
  /** `chart-<id>` in the page */
  id: string;
  kind: "bar" | "line";
  unit: "count" | "ms";
  title(t: UsageStrings): string;
  /** drawn in this order (bars stack bottom-up), each with its legend and column label */
  series: Array<[keyof typeof COLOURS, (t: UsageStrings) => string]>;
  /** a sentence before the total and busiest day */
  hint?(t: UsageStrings, totals: UsageResponse["totals"]): string;
  /** the whole description instead of the total and busiest day */
  describe?(t: UsageStrings, totals: UsageResponse["totals"]): string;
}

const CHARTS: ChartSpec[] = [
  { id: "conversations", kind: "bar", unit: "count", title: (t) => t.conversations, series: [["conversations", (t) => t.conversations]] },
  { id: "messages", kind: "bar", unit: "count", title: (t) => t.messages, series: [["messages", (t) => t.messages]] },
  {
    id: "tokens",
    kind: "bar",
    unit: "count",
    title: (t) => t.tokens,
    series: [
      ["promptTokens", (t) => t.promptTokens],
      ["completionTokens", (t) => t.completionTokens],
    ],
  },
  { id: "errors", kind: "bar", unit: "count", title: (t) => t.errors, series: [["errors", (t) => t.errors]], hint: (t) => t.errorsHint },
  {
    id: "ratings",
    kind: "bar",
    unit: "count",
    title: (t) => t.ratings,
    series: [
      ["ratedUp", (t) => t.ratedUp],
      ["ratedDown", (t) => t.ratedDown],
    ],
    hint: (t, totals) => t.ratingsHint(shareText(t, totals.ratedShare)),
  },
  {
    id: "ttft",
    kind: "line",
    unit: "ms",
    title: (t) => t.ttftUnit,
    series: [
      ["ttftP50Ms", (t) => t.ttftP50],
      ["ttftP95Ms", (t) => t.ttftP95],
    ],
    describe: (t, totals) => t.summaryTtft(msText(t, totals.ttftP50Ms), msText(t, totals.ttftP95Ms)),
  },
];

/** The last 30 days of the site, per day in the owner's time zone, with totals. */
export function UsagePage({ site }: SitePageProps) {
  const s = useStrings();
  const t = s.usage;
  const heading = usePageTitle(`${t.title} · ${site.name}`);
  const usage = useResource(() => api().usage(site.id, -new Date().getTimezoneOffset()), [site.id]);
  const data = usage.data;

  const count = (n: number) => formatNumber(n);
  const ms = (n: number | null) => msText(t, n);
  /** The total and the busiest day, or that there was nothing. */
  const busiest = (days: UsageResponse["days"], keys: UsageKey[]) => {
    const sum = seriesSummary(days, keys);
    return sum.maxDate ? t.summary(count(sum.total), count(sum.max), formatDay(sum.maxDate)) : t.summaryEmpty;
  };

  return (
    <div class="page stack">
      <h1 ref={heading} tabIndex={-1}>
        {t.title}
      </h1>
      {!data ? (
        usage.error ? (
          <ErrorState error={usage.error} onRetry={usage.reload} />
        ) : (
          <Loading />
        )
      ) : (
        <>
          <p class="muted">{t.period(formatDay(data.from), formatDay(data.to))}</p>
          <section aria-labelledby="totals-title">
            <h2 id="totals-title" class="visually-hidden">
              {t.totals}
            </h2>
            <dl class="totals">
              {(
                [
                  [t.conversations, count(data.totals.conversations)],
                  [t.messages, count(data.totals.messages)],
                  [t.promptTokens, count(data.totals.promptTokens)],
                  [t.completionTokens, count(data.totals.completionTokens)],
                  [t.errors, count(data.totals.errors)],
                  [`${t.ttft} · ${t.ttftP50}`, ms(data.totals.ttftP50Ms)],
                  [`${t.ttft} · ${t.ttftP95}`, ms(data.totals.ttftP95Ms)],
                  [t.ratedUp, count(data.totals.ratedUp)],
                  [t.ratedDown, count(data.totals.ratedDown)],
                  [t.ratedShare, shareText(t, data.totals.ratedShare)],
                ] as Array<[string, string]>
              ).map(([label, value]) => (
                <div class="total card" key={label}>
                  <dt>{label}</dt>
                  <dd>{value}</dd>
                </div>
              ))}
            </dl>
          </section>
          <Quota quota={data.quota} />
          {data.totals.messages === 0 && data.totals.promptTokens === 0 && <p class="state state--empty">{t.empty}</p>}
          <div class="charts">
            {CHARTS.map((chart) => {
              const keys = chart.series.map(([key]) => key);
              return (
                <UsageChart
                  key={chart.id}
                  id={`chart-${chart.id}`}
                  kind={chart.kind}
                  title={chart.title(t)}
                  days={data.days}
                  series={chart.series.map(([key, label]) => ({ key, label: label(t), color: COLOURS[key] }))}
                  format={chart.unit === "ms" ? ms : count}
                  description={
                    chart.describe?.(t, data.totals) ?? [chart.hint?.(t, data.totals), busiest(data.days, keys)].filter(Boolean).join(" ")
                  }
                />
              );
            })}
          </div>
        </>
      )}
    </div>
  );
}

/** This month against the site's monthly quota (the owner changes it under Bot settings → Limits). */
function Quota({ quota }: { quota: QuotaData }) {
  const s = useStrings();
  const t = s.usage;
  const rows: Array<[string, number, number]> = [
    [t.quotaMessages, quota.messages, quota.monthlyMessages],
    [t.quotaTokens, quota.tokens, quota.monthlyTokens],
  ];
  return (
    <section class={`card quota${quota.exceeded ? " quota--exceeded" : ""}`} aria-labelledby="quota-title">
      <h2 id="quota-title">{t.quota(quota.month)}</h2>
      {quota.exceeded && (
        <p class="notice notice--warn" role="alert">
          {t.quotaExceeded}
        </p>
      )}
      <div class="quota__rows">
        {rows.map(([label, used, limit]) => (
          <div class="quota__row" key={label}>
            <span class="quota__label" id={`quota-${label}`}>
              {label}
            </span>
            <meter
              min={0}
              max={limit}
              value={Math.min(used, limit)}
              low={limit * 0.8}
              high={limit * 0.95}
              optimum={0}
              aria-labelledby={`quota-${label}`}
            />
            <span class="quota__value">{t.quotaOf(formatNumber(used), formatNumber(limit))}</span>
          </div>
        ))}
      </div>
    </section>
  );
}
