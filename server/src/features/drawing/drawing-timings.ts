/** How a drawing is waited for (docs/media.md "The bot draws"); tests pass shorter ones through deps. */
export interface DrawingTimings {
  /** the first poll after this, then doubling… */
  firstPollMs: number;
  /** …up to this between polls */
  maxPollMs: number;
  /** no result after this: the drawing failed (image_generation_timeout) */
  timeoutMs: number;
  /** the drawing.finish job runs this long after the task started (past the timeout: only a dead instance's row is left) */
  finishAfterMs: number;
}

export const DEFAULT_DRAWING_TIMINGS: DrawingTimings = Object.freeze({
  firstPollMs: 1_000,
  maxPollMs: 5_000,
  timeoutMs: 120_000,
  finishAfterMs: 150_000,
});
