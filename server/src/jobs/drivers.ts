import type { JobQueue } from "./job-queue.js";

// The three ways jobs advance. On Function Compute an instance has CPU only while a request is in
// flight, so work is driven from inside requests: the one that queued it (driveDuring), and the
// timer trigger's POST /invoke (features/invoke). Off FC (npm start, the demo) a ticker does it.

/**
 * Works on `jobIds` (the jobs the request just queued) for at most about `ms` (plus the step in
 * flight) before the request answers, so small jobs are done by then and big ones have started;
 * what is left goes on with the ticker or the timer trigger.
 */
export function driveDuring(queue: JobQueue, ms: number, jobIds: readonly string[], signal?: AbortSignal): Promise<number> {
  return queue.drive({ budgetMs: ms, onlyJobIds: jobIds, signal });
}

/** How often the in-process ticker looks for due jobs, and how long it drives each time. */
export const JOB_TICK_MS = 2_000;
export const JOB_TICK_BUDGET_MS = 10_000;

/**
 * main.ts's ticker: drives due jobs for a while; a tick that comes while the last still drives
 * does nothing, so one process drives from one loop at a time.
 */
export function jobTicker(queue: JobQueue, budgetMs = JOB_TICK_BUDGET_MS): () => Promise<number> {
  let current: Promise<number> | null = null;
  return () => {
    if (current) return Promise.resolve(0);
    current = queue.drive({ budgetMs }).finally(() => (current = null));
    return current;
  };
}
