import type { AppDeps } from "../../deps.js";
import { AppError } from "../../errors.js";
import { monthToDate } from "../../security/limits.js";
import { siteAccess } from "../sites/site-access.js";
import { effectiveLimits } from "../plans/plan-rules.js";
import { callsPerDay, countPerDay, firstTokenTimes, ratingsPerDay } from "./usage.repository.js";
import type { UsageQuery, UsageResponse } from "./usage.schemas.js";

const DAY_MS = 86_400_000;
const MAX_DAYS = 366;

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** The share of answers their visitors rated, either way; null without answers. */
const ratedShare = (d: { answers: number; ratedUp: number; ratedDown: number }) =>
  d.answers ? (d.ratedUp + d.ratedDown) / d.answers : null;

const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / DAY_MS;
const dateOf = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** Per day in the owner's time zone: conversations, messages, tokens, errors and time-to-first-token percentiles. */
export async function usageOfSite(
  deps: Pick<AppDeps, "db" | "now" | "counters" | "config">,
  ownerId: string,
  siteId: string,
  query: UsageQuery,
): Promise<UsageResponse> {
  const { site } = await siteAccess(deps, ownerId, siteId, "admin");
  const offsetMs = query.tz * 60_000;
  const today = Math.floor((deps.now() + offsetMs) / DAY_MS);
  const last = query.to ? dayNumber(query.to) : today;
  const first = query.from ? dayNumber(query.from) : last - 29;
  if (first > last) throw new AppError("invalid_query", "`from` must not be after `to`.");
  if (last - first + 1 > MAX_DAYS) throw new AppError("invalid_query", `Ask for at most ${MAX_DAYS} days at a time.`);

  const range = { siteId, fromMs: first * DAY_MS - offsetMs, toMs: (last + 1) * DAY_MS - offsetMs, offsetMs };
  // The month's ceilings as admission applies them: the site's own, capped by its owner's plan.
  const limits = await effectiveLimits(deps, site);
  const [conversations, messages, calls, times, ratings, month] = await Promise.all([
    countPerDay(deps.db, "conversations", range),
    countPerDay(deps.db, "messages", range),
    callsPerDay(deps.db, range),
    firstTokenTimes(deps.db, range),
    ratingsPerDay(deps.db, range),
    monthToDate(deps.counters, siteId, deps.now()),
  ]);

  const days = Array.from({ length: last - first + 1 }, (_, i) => ({
    day: first + i,
    conversations: 0,
    messages: 0,
    promptTokens: 0,
    completionTokens: 0,
    errors: 0,
    answers: 0,
    ratedUp: 0,
    ratedDown: 0,
    ttfts: [] as number[],
  }));
  const at = (day: number) => days[day - first];
  for (const row of conversations) if (at(row.day)) at(row.day).conversations = row.n;
  for (const row of messages) if (at(row.day)) at(row.day).messages = row.n;
  for (const row of calls) {
    const d = at(row.day);
    if (!d) continue;
    d.promptTokens = row.prompt;
    d.completionTokens = row.completion;
    d.errors = row.errors;
  }
  for (const row of times) at(row.day)?.ttfts.push(row.ttft);
  for (const row of ratings) {
    const d = at(row.day);
    if (!d) continue;
    d.answers = row.answers;
    d.ratedUp = row.up;
    d.ratedDown = row.down;
  }

  const all = times.map((t) => t.ttft).sort((a, b) => a - b);
  type Summed = "conversations" | "messages" | "promptTokens" | "completionTokens" | "errors" | "answers" | "ratedUp" | "ratedDown";
  const sum = (key: Summed) => days.reduce((n, d) => n + d[key], 0);
  return {
    from: dateOf(first),
    to: dateOf(last),
    tz: query.tz,
    days: days.map(({ day, ttfts, ...rest }) => {
      const sorted = ttfts.sort((a, b) => a - b);
      return {
        date: dateOf(day),
        ...rest,
        ttftP50Ms: percentile(sorted, 50),
        ttftP95Ms: percentile(sorted, 95),
        ratedShare: ratedShare(rest),
      };
    }),
    totals: {
      conversations: sum("conversations"),
      messages: sum("messages"),
      promptTokens: sum("promptTokens"),
      completionTokens: sum("completionTokens"),
      errors: sum("errors"),
      ttftP50Ms: percentile(all, 50),
      ttftP95Ms: percentile(all, 95),
      answers: sum("answers"),
      ratedUp: sum("ratedUp"),
      ratedDown: sum("ratedDown"),
      ratedShare: ratedShare({ answers: sum("answers"), ratedUp: sum("ratedUp"), ratedDown: sum("ratedDown") }),
    },
    quota: {
      month: month.month,
      messages: month.messages,
      monthlyMessages: limits.monthlyMessages,
      tokens: month.tokens,
      monthlyTokens: limits.monthlyTokens,
      exceeded: month.messages >= limits.monthlyMessages || month.tokens >= limits.monthlyTokens,
    },
  };
}
