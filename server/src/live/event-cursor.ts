import { SETTLE_MS } from "./live-bus.js";

/** The most ids an event id names above its settled part; more (a flood within SETTLE_MS) are taken as settled. */
const MAX_UNSETTLED = 50;
const EVENT_ID = /^(\d{1,15})(?:_(\d{1,15}(?:\.\d{1,15}){0,49}))?$/;

/**
 * Where a stream is in the log, as exactly as a reconnect needs it. Ids of site_events grow, but
 * on MySQL a row can become visible after one with a higher id (ids are taken at insert, rows
 * appear at commit). So a stream does not simply remember the last id it sent: every id up to
 * `settled` is done, and the ids above it it already sent are kept until they have been seen for
 * SETTLE_MS (by then every lower row has committed, and the read after that saw them).
 *
 * The SSE `id:` of each event is this position: `<settled>` or `<settled>_<sent>.<sent>…`, so a
 * client's Last-Event-ID resumes with nothing lost and nothing sent twice. A plain number (the
 * contract's "id > lastEventId") is a position with nothing unsettled.
 */
export class EventCursor {
  /** ids above `settled` already sent, and when this stream first saw them (performance.now()) */
  private readonly sent = new Map<number, number>();

  private constructor(private settledId: number) {}

  static at(settled: number): EventCursor {
    return new EventCursor(settled);
  }

  /** A client's Last-Event-ID; null when it is not one of ours (the stream then starts afresh). */
  static parse(text: string | null | undefined): EventCursor | null {
    const match = text ? EVENT_ID.exec(text.trim()) : null;
    if (!match) return null;
    const cursor = new EventCursor(Number(match[1]));
    // Seen by the client some time ago, but by this stream only now: kept until settled again.
    const now = performance.now();
    for (const id of match[2]?.split(".") ?? []) if (Number(id) > cursor.settledId) cursor.sent.set(Number(id), now);
    return cursor;
  }

  /** Read the log from above this id. */
  get settled(): number {
    return this.settledId;
  }

  /** true while some sent id awaits its settle time (the stream reads again then, woken or not). */
  get unsettled(): boolean {
    return this.sent.size > 0;
  }

  /** Whether `id` (from a read made at `readAt`) is new to the stream; if so it is marked sent. */
  take(id: number, readAt: number): boolean {
    if (id <= this.settledId || this.sent.has(id)) return false;
    this.sent.set(id, readAt);
    if (this.sent.size > MAX_UNSETTLED) {
      const oldest = Math.min(...this.sent.keys());
      this.advance(oldest);
    }
    return true;
  }

  /**
   * After a read made at `readAt` (all rows above `settled` then visible were taken): ids seen
   * SETTLE_MS before it are final, and so is everything below them.
   */
  settle(readAt: number): void {
    let to = this.settledId;
    for (const [id, seenAt] of this.sent) if (readAt - seenAt >= SETTLE_MS && id > to) to = id;
    this.advance(to);
  }

  /** The SSE id for the position after the events taken so far. */
  toString(): string {
    const above = [...this.sent.keys()].sort((a, b) => a - b);
    return above.length ? `${this.settledId}_${above.join(".")}` : String(this.settledId);
  }

  private advance(to: number): void {
    this.settledId = Math.max(this.settledId, to);
    for (const id of this.sent.keys()) if (id <= this.settledId) this.sent.delete(id);
  }
}
