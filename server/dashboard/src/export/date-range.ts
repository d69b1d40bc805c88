/**
 * The conversation list's date filter: days the owner picks in their own time zone, sent as
 * instants. `from` is the start of its day; `to` is the start of the next day (the API's `to`
 * is exclusive for instants), so the "to" day is included whole.
 */
export function dayStart(day: string, addDays = 0): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + addDays).toISOString();
}

export function rangeQuery(from: string, to: string): { from?: string; to?: string } {
  return { from: from ? dayStart(from) : undefined, to: to ? dayStart(to, 1) : undefined };
}

/** Today in the owner's time zone, as YYYY-MM-DD. */
export function today(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}
