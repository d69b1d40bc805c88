import type { Counters } from "../../security/counters.js";
import { month } from "../../security/monthly-quota.js";

const DAY = 86_400_000;

/** Pictures drawn for a site this month (docs/media.md: limits.monthlyImages). */
export const siteImagesKey = (siteId: string) => `quota:images:${siteId}`;

/**
 * Takes one of the month's pictures, exact across instances (added first, taken back when that
 * passes the limit). False: none left, nothing kept.
 */
export async function takeImage(counters: Counters, siteId: string, limit: number, now: number): Promise<boolean> {
  const m = month(now);
  const total = await counters.add(siteImagesKey(siteId), m.start, 1, m.next + DAY);
  if (total <= limit) return true;
  await counters.add(siteImagesKey(siteId), m.start, -1, m.next + DAY);
  return false;
}

/** A picture that was not made goes back to the month it was taken from. */
export async function giveImageBack(counters: Counters, siteId: string, takenAt: number): Promise<void> {
  const m = month(takenAt);
  await counters.add(siteImagesKey(siteId), m.start, -1, m.next + DAY);
}
