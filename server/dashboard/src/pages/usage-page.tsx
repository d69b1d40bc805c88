/** @jsxImportSource preact */
import { type ChartSeries, UsageChart } from "../charts/usage-chart.js";
import { seriesSummary, type UsageKey } from "../charts/shape.js";
import { ErrorState, Loading } from "../components/states.js";
import { usePageTitle } from "../components/use-page-title.js";
import { useResource } from "../components/use-resource.js";
import { formatDay, formatNumber, useStrings } from "../i18n/lang.js";
import { api } from "../state/session.js";
import type { QuotaData, UsageDayData } from "../api/types.js";
import type { SitePageProps } from "./site-page.js";

const COLOURS = {
  conversations: "#4f46e5",
  messages: "#0e7490",
  promptTokens: "#7c3aed",
  completionTokens: "#db2777",
  errors: "#dc2626",
  ttftP50Ms: "#059669",
  ttftP95Ms: "#d97706",
} as const;

/** The last 30 days of the site, per day in the owner's time zone, with totals. */
export function UsagePage({ site }: SitePageProps) {
  const s = useStrings();
  const t = s.usage;
  const heading = usePageTitle(`${t.title} · ${site.name}`);
  const usage = useResource(() => api().usage(site.id, -new Date().getTimezoneOffset()), [site.id]);
  const data = usage.data;

  const count = (n: number) => formatNumber(n);
  const ms = (n: number | null) => (n === null ? t.none : t.ms(formatNumber(n)));
  const describe = (days: readonly UsageDayData[], keys: UsageKey[]) => {
    const sum = seriesSummary(days, keys);
    return sum.maxDate ? t.summary(count(sum.total), count(sum.max), formatDay(sum.maxDate)) : t.summaryEmpty;
  };
  const series = (keys: UsageKey[], labels: string[]): ChartSeries[] =>
    keys.map((key, i) => ({ key, label: labels[i], color: COLOURS[key] }));

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
            <UsageChart
              id="chart-conversations"
              kind="bar"
              title={t.conversations}
              days={data.days}
              series={series(["conversations"], [t.conversations])}
              format={count}
              description={describe(data.days, ["conversations"])}
            />
            <UsageChart
              id="chart-messages"
              kind="bar"
              title={t.messages}
              days={data.days}
              series={series(["messages"], [t.messages])}
              format={count}
              description={describe(data.days, ["messages"])}
            />
            <UsageChart
              id="chart-tokens"
              kind="bar"
              title={t.tokens}
              days={data.days}
              series={series(["promptTokens", "completionTokens"], [t.promptTokens, t.completionTokens])}
              format={count}
              description={describe(data.days, ["promptTokens", "completionTokens"])}
            />
            <UsageChart
              id="chart-errors"
              kind="bar"
              title={t.errors}
              days={data.days}
              series={series(["errors"], [t.errors])}
              format={count}
              description={`${t.errorsHint} ${describe(data.days, ["errors"])}`}
            />
            <UsageChart
              id="chart-ttft"
              kind="line"
              title={t.ttftUnit}
              days={data.days}
              series={series(["ttftP50Ms", "ttftP95Ms"], [t.ttftP50, t.ttftP95])}
              format={(n) => ms(n)}
              description={t.summaryTtft(ms(data.totals.ttftP50Ms), ms(data.totals.ttftP95Ms))}
            />
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
