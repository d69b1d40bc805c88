import { setMaxListeners } from "node:events";

/**
 * Work that outlives its request (an answer still being read from the model after the visitor
 * left). Tracked so shutdown can wait for it and tests can await it instead of sleeping.
 */
export class BackgroundTasks {
  private readonly running = new Set<Promise<unknown>>();
  private readonly stop = new AbortController();

  constructor() {
    // Every answer streaming at once listens on this one signal: hundreds is normal, not a leak.
    setMaxListeners(0, this.stop.signal);
  }

  /**
   * Aborted by cancel(): when shutdown can wait no longer, work that would go on (an answer still
   * streaming from the model) cuts itself short and stores what it has.
   */
  get signal(): AbortSignal {
    return this.stop.signal;
  }

  cancel(): void {
    this.stop.abort();
  }

  run(task: () => Promise<unknown>): void {
    const p: Promise<unknown> = task()
      .catch(() => {}) // the task stores and logs its own failures
      .finally(() => this.running.delete(p));
    this.running.add(p);
  }

  get size(): number {
    return this.running.size;
  }

  /** Resolves when every task started so far (and any they start) has finished, or after `timeoutMs`. */
  async idle(timeoutMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.running.size) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...this.running]), new Promise((r) => (timer = setTimeout(r, left)))]);
      clearTimeout(timer);
    }
    return true;
  }
}
