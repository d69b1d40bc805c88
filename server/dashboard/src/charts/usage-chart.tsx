/** @jsxImportSource preact */
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import type { UsageDayData } from "../api/types.js";
import { formatCompact, formatDay, useStrings } from "../i18n/lang.js";
import { type Dims, type UsageKey, barLayout, lineLayout, xLabelDays } from "./shape.js";

export interface ChartSeries {
  key: UsageKey;
  label: string;
  color: string;
}

interface UsageChartProps {
  id: string;
  title: string;
  /** what the chart shows, in a sentence (totals, busiest day): the SVG's description */
  description: string;
  days: readonly UsageDayData[];
  series: ChartSeries[];
  kind: "bar" | "line";
  format(value: number): string;
}

const HEIGHT = 180;

/**
 * The drawing follows its box's width, so labels keep their size from 375 px up. Measured before
 * the first paint (a layout effect): drawn at the fallback width first, a chart made a narrow page
 * wider than the screen for a frame (caught by the 375 px browser test under load).
 */
function useWidth(fallback: number) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(fallback);
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => el.clientWidth > 0 && setWidth(Math.round(el.clientWidth));
    measure();
    if (typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return { box, width };
}

/**
 * A hand-drawn SVG chart of one or more usage series per day. For assistive technology it is an
 * image with a title and a description, and the same numbers are a table right below it.
 */
export function UsageChart({ id, title, description, days, series, kind, format }: UsageChartProps) {
  const s = useStrings();
  const { box, width } = useWidth(640);
  const dims: Dims = { width, height: HEIGHT, left: 48, right: 8, top: 10, bottom: 22 };
  const keys = series.map((x) => x.key);
  const colour = (key: UsageKey) => series.find((x) => x.key === key)?.color ?? "currentColor";
  const bars = kind === "bar" ? barLayout(days, keys, dims) : null;
  const lines = kind === "line" ? lineLayout(days, keys, dims) : null;
  const scale = (bars ?? lines)!.scale;
  const labelled = xLabelDays(days, Math.max(2, Math.floor((width - dims.left) / 70)));
  const slot = (width - dims.left - dims.right) / Math.max(1, days.length);

  return (
    <figure class="chart card" aria-labelledby={`${id}-title`}>
      <figcaption class="chart__head">
        <h3 id={`${id}-title`}>{title}</h3>
        {series.length > 1 && (
          <ul class="legend">
            {series.map((x) => (
              <li key={x.key}>
                <span class="legend__swatch" style={{ background: x.color }} aria-hidden="true" />
                {x.label}
              </li>
            ))}
          </ul>
        )}
      </figcaption>
      <div ref={box} class="chart__box">
        <svg
          role="img"
          aria-labelledby={`${id}-svg-title ${id}-desc`}
          width={width}
          height={HEIGHT}
          viewBox={`0 0 ${width} ${HEIGHT}`}
          class="chart__svg"
        >
          <title id={`${id}-svg-title`}>{title}</title>
          <desc id={`${id}-desc`}>{description}</desc>
          {scale.ticks.map((tick) => (
            <g key={tick} class="chart__grid">
              <line x1={dims.left} x2={width - dims.right} y1={scale.y(tick)} y2={scale.y(tick)} />
              <text x={dims.left - 6} y={scale.y(tick)} text-anchor="end" dominant-baseline="middle">
                {formatCompact(tick)}
              </text>
            </g>
          ))}
          {days.map((day, i) =>
            labelled.has(day.date) ? (
              <text key={day.date} class="chart__x" x={dims.left + slot * i + slot / 2} y={HEIGHT - 6} text-anchor="middle">
                {formatDay(day.date, undefined, true)}
              </text>
            ) : null,
          )}
          {bars?.bars.map((bar) => (
            <g key={bar.date}>
              {bar.segments.map((seg) =>
                seg.height > 0 ? (
                  <rect
                    key={seg.key}
                    x={bar.x}
                    y={seg.y}
                    width={bar.width}
                    height={seg.height}
                    fill={colour(seg.key)}
                    rx={Math.min(2, bar.width / 4)}
                  >
                    <title>{`${formatDay(bar.date)} · ${series.find((x) => x.key === seg.key)?.label}: ${format(seg.value)}`}</title>
                  </rect>
                ) : null,
              )}
            </g>
          ))}
          {lines?.lines.map((line) => (
            <g key={line.key}>
              <path d={line.d} fill="none" stroke={colour(line.key)} stroke-width={2} stroke-linejoin="round" />
              {line.points.map((p) => (
                <circle key={p.date} cx={p.x} cy={p.y} r={3} fill={colour(line.key)}>
                  <title>{`${formatDay(p.date)} · ${series.find((x) => x.key === line.key)?.label}: ${format(p.value)}`}</title>
                </circle>
              ))}
            </g>
          ))}
        </svg>
      </div>
      <details class="chart__table">
        <summary>{s.usage.showTable}</summary>
        <div class="table-scroll">
          <table class="table">
            <caption class="visually-hidden">{title}</caption>
            <thead>
              <tr>
                <th scope="col">{s.usage.date}</th>
                {series.map((x) => (
                  <th scope="col" class="num" key={x.key}>
                    {x.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {days.map((day) => (
                <tr key={day.date}>
                  <th scope="row">{formatDay(day.date)}</th>
                  {series.map((x) => (
                    <td class="num" key={x.key}>
                      {day[x.key] === null ? s.usage.none : format(day[x.key] as number)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
