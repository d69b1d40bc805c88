import type { UsageDayData } from "../api/types.js";

/**
 * Turns the usage API's days into what the charts draw: scales with round tick values, bars
 * (stacked when there are several series), lines with gaps where a day has no value (no
 * first-token time without answers), and the facts the charts' descriptions state.
 */

export type UsageKey = Exclude<keyof UsageDayData, "date">;

export interface Dims {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export interface Scale {
  max: number;
  ticks: number[];
  /** y of a value, in the plot's pixels */
  y(value: number): number;
}

/**
 * A round step between ticks: 1, 2, 2.5 or 5 × 10^n, the smallest at or above `raw`. Counts
 * (`integer`) never get a step below 1 or a fractional one (2.5 only from 25 up).
 */
export function niceStep(raw: number, integer = false): number {
  if (!(raw > 0)) return 1;
  if (integer && raw <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) {
    const step = m * power;
    if (step >= raw && (!integer || Number.isInteger(step))) return step;
  }
  return 10 * power;
}

/** The axis from 0 to a round top, with `tickCount` equal steps; `y` maps a value into the plot. */
export function scaleFor(max: number, dims: Dims, { tickCount = 4, integer = false } = {}): Scale {
  const step = niceStep(max / tickCount, integer);
  const top = step * tickCount;
  const plot = dims.height - dims.top - dims.bottom;
  const ticks = Array.from({ length: tickCount + 1 }, (_, i) => step * i);
  return { max: top, ticks, y: (value) => dims.top + plot - (value / top) * plot };
}

const value = (day: UsageDayData, key: UsageKey) => day[key] ?? 0;

export interface Bar {
  date: string;
  x: number;
  width: number;
  total: number;
  segments: Array<{ key: UsageKey; value: number; y: number; height: number }>;
}

/** One bar per day; several keys stack bottom-up in the order given. */
export function barLayout(days: readonly UsageDayData[], keys: readonly UsageKey[], dims: Dims): { scale: Scale; bars: Bar[] } {
  const totals = days.map((d) => keys.reduce((n, k) => n + value(d, k), 0));
  const scale = scaleFor(Math.max(0, ...totals), dims, { integer: true });
  const slot = (dims.width - dims.left - dims.right) / Math.max(1, days.length);
  const width = Math.max(1, slot * 0.7);
  const bars = days.map((day, i) => {
    let base = 0;
    const segments = keys.map((key) => {
      const v = value(day, key);
      const y = scale.y(base + v);
      const height = scale.y(base) - y;
      base += v;
      return { key, value: v, y, height };
    });
    return { date: day.date, x: dims.left + slot * i + (slot - width) / 2, width, total: totals[i], segments };
  });
  return { scale, bars };
}

export interface Line {
  key: UsageKey;
  /** SVG path; a day without a value breaks the line */
  d: string;
  points: Array<{ date: string; x: number; y: number; value: number }>;
}

export function lineLayout(days: readonly UsageDayData[], keys: readonly UsageKey[], dims: Dims): { scale: Scale; lines: Line[] } {
  const values = days.flatMap((d) => keys.map((k) => d[k]).filter((v): v is number => typeof v === "number"));
  const scale = scaleFor(Math.max(0, ...values), dims, { integer: true });
  const slot = (dims.width - dims.left - dims.right) / Math.max(1, days.length);
  const lines = keys.map((key) => {
    const points: Line["points"] = [];
    let d = "";
    let pen = false;
    days.forEach((day, i) => {
      const v = day[key];
      if (typeof v !== "number") {
        pen = false;
        return;
      }
      const x = dims.left + slot * i + slot / 2;
      const y = scale.y(v);
      points.push({ date: day.date, x, y, value: v });
      d += `${pen ? "L" : "M"}${round(x)} ${round(y)}`;
      pen = true;
    });
    return { key, d, points };
  });
  return { scale, lines };
}

/** Which days get a label on the x axis: about `count` of them, always the last. */
export function xLabelDays(days: readonly UsageDayData[], count: number): Set<string> {
  const step = Math.max(1, Math.ceil(days.length / Math.max(1, count)));
  const out = new Set<string>();
  for (let i = days.length - 1; i >= 0; i -= step) out.add(days[i].date);
  return out;
}

/** The sum over the days and the busiest day (the first of equals), for the chart's description. */
export function seriesSummary(
  days: readonly UsageDayData[],
  keys: readonly UsageKey[],
): { total: number; max: number; maxDate: string | null } {
  let total = 0;
  let max = 0;
  let maxDate: string | null = null;
  for (const day of days) {
    const v = keys.reduce((n, k) => n + value(day, k), 0);
    total += v;
    if (v > max) {
      max = v;
      maxDate = day.date;
    }
  }
  return { total, max, maxDate };
}

const round = (n: number) => Math.round(n * 10) / 10;
