import type { OfficeHoursRange } from "./handoff.settings.js";

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** Formatters are costly to build and the set of zones a server sees is small. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The weekday (0 Sunday) and "HH:MM" on the wall clock of `timeZone` at `at` (epoch ms): Intl applies the zone's DST rules. */
export function wallClock(at: number, timeZone: string): { day: number; time: string } {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(new Date(at))
      .map((p) => [p.type, p.value]),
  );
  return { day: WEEKDAYS[parts.weekday], time: `${parts.hour}:${parts.minute}` };
}

/**
 * Whether someone is there at `at`: inside one of the ranges on the site's wall clock (`from`
 * included, `to` excluded). No ranges: always.
 */
export function withinOfficeHours(at: number, timeZone: string, ranges: readonly OfficeHoursRange[]): boolean {
  if (!ranges.length) return true;
  const { day, time } = wallClock(at, timeZone);
  return ranges.some((r) => r.days.includes(day) && r.from <= time && time < r.to);
}
