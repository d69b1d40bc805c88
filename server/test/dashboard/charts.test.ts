import { describe, expect, it } from "vitest";
import type { UsageDayData } from "../../dashboard/src/api/types.js";
import { type Dims, barLayout, lineLayout, niceStep, scaleFor, seriesSummary, xLabelDays } from "../../dashboard/src/charts/shape.js";

const dims: Dims = { width: 348, height: 130, left: 40, right: 8, top: 10, bottom: 20 };
const plotBottom = dims.height - dims.bottom;
const plotHeight = dims.height - dims.top - dims.bottom;

function day(date: string, values: Partial<UsageDayData> = {}): UsageDayData {
  return {
    date,
    conversations: 0,
    messages: 0,
    promptTokens: 0,
    completionTokens: 0,
    errors: 0,
    ttftP50Ms: null,
    ttftP95Ms: null,
    answers: 0,
    ratedUp: 0,
    ratedDown: 0,
    ratedShare: null,
    ...values,
  };
}

const days = [
  day("2026-11-01", { conversations: 2, promptTokens: 100, completionTokens: 50, ttftP50Ms: 120, ttftP95Ms: 300 }),
  day("2026-11-02"),
  day("2026-11-03", { conversations: 7, promptTokens: 900, completionTokens: 300, ttftP50Ms: 80, ttftP95Ms: 95 }),
  day("2026-11-04", { conversations: 1, promptTokens: 10, completionTokens: 5, ttftP50Ms: 60, ttftP95Ms: 60 }),
];

describe("chart data shaping", () => {
  it("picks round tick steps, whole ones for counts", () => {
    expect([0.3, 1, 1.2, 3, 7, 12, 26, 480, 2600].map((n) => niceStep(n))).toEqual([0.5, 1, 2, 5, 10, 20, 50, 500, 5000]);
    expect([0, 0.2, 1, 1.25, 2.2, 22].map((n) => niceStep(n, true))).toEqual([1, 1, 1, 2, 5, 25]);
    const scale = scaleFor(7, dims, { integer: true });
    expect(scale.ticks).toEqual([0, 2, 4, 6, 8]);
    expect(scale.max).toBe(8);
    expect(scale.y(0)).toBe(plotBottom);
    expect(scale.y(8)).toBe(dims.top);
    // nothing at all still draws an axis from 0 to 4
    expect(scaleFor(0, dims, { integer: true }).ticks).toEqual([0, 1, 2, 3, 4]);
  });

  it("bars: one per day, heights in proportion to the values, inside the plot", () => {
    const { scale, bars } = barLayout(days, ["conversations"], dims);
    expect(scale.max).toBe(8);
    expect(bars.map((b) => b.date)).toEqual(days.map((d) => d.date));
    const heights = bars.map((b) => b.segments[0].height);
    expect(heights[1]).toBe(0);
    expect(heights[2] / heights[0]).toBeCloseTo(7 / 2);
    expect(heights[2]).toBeCloseTo((7 / 8) * plotHeight);
    for (const bar of bars) {
      expect(bar.x).toBeGreaterThanOrEqual(dims.left);
      expect(bar.x + bar.width).toBeLessThanOrEqual(dims.width - dims.right);
      expect(bar.segments[0].y + bar.segments[0].height).toBeCloseTo(plotBottom);
    }
    // days stay in order, left to right, without overlapping
    for (let i = 1; i < bars.length; i++) expect(bars[i].x).toBeGreaterThan(bars[i - 1].x + bars[i - 1].width);
  });

  it("stacked bars: prompt under completion tokens, the stack as tall as their sum", () => {
    const { scale, bars } = barLayout(days, ["promptTokens", "completionTokens"], dims);
    expect(scale.max).toBe(2000); // 4 steps of 500
    const [prompt, completion] = bars[2].segments;
    expect(bars[2].total).toBe(1200);
    expect(prompt.y + prompt.height).toBeCloseTo(plotBottom);
    expect(completion.y + completion.height).toBeCloseTo(prompt.y);
    expect(prompt.height + completion.height).toBeCloseTo((1200 / 2000) * plotHeight);
    expect(prompt.height / completion.height).toBeCloseTo(3);
  });

  it("lines: a point per day with a value, and a gap where a day has none (no answers, no first-token time)", () => {
    const { scale, lines } = lineLayout(days, ["ttftP50Ms", "ttftP95Ms"], dims);
    expect(scale.max).toBe(400);
    const [p50, p95] = lines;
    expect(p50.points.map((p) => p.date)).toEqual(["2026-11-01", "2026-11-03", "2026-11-04"]);
    expect(p50.d.match(/M/g)).toHaveLength(2); // broken at 11-02
    expect(p50.d.startsWith("M")).toBe(true);
    expect(p95.points[0].y).toBeCloseTo(scale.y(300));
    expect(lineLayout([day("2026-11-01")], ["ttftP50Ms"], dims).lines[0]).toEqual({ key: "ttftP50Ms", d: "", points: [] });
  });

  it("labels about as many days as fit, always the last", () => {
    const month = Array.from({ length: 30 }, (_, i) => day(`2026-11-${String(i + 1).padStart(2, "0")}`));
    const labelled = xLabelDays(month, 5);
    expect(labelled.has("2026-11-30")).toBe(true);
    expect(labelled.size).toBeLessThanOrEqual(6);
    expect(labelled.size).toBeGreaterThanOrEqual(4);
  });

  it("states the total and the busiest day for the chart's description", () => {
    expect(seriesSummary(days, ["conversations"])).toEqual({ total: 10, max: 7, maxDate: "2026-11-03" });
    expect(seriesSummary(days, ["promptTokens", "completionTokens"])).toEqual({ total: 1365, max: 1200, maxDate: "2026-11-03" });
    expect(seriesSummary([day("2026-11-01")], ["errors"])).toEqual({ total: 0, max: 0, maxDate: null });
  });
});
