import { LlmError } from "./chat-model.js";

/**
 * A DashScope request's time allowance, which the caller's stop also cuts: one timer per request
 * (pushed back with refresh() as chunks arrive), for every client that is not the chat stream.
 */
export interface Deadline {
  signal: AbortSignal;
  /** true when the deadline (not the caller) cut the request */
  readonly timedOut: boolean;
  /** pushes the deadline back by the whole allowance (a chunk arrived) */
  refresh(): void;
  /** the error for a failure while this deadline ran: timeout, stop, or `fallback` */
  failure(err: unknown, requestId: string | null, fallback: string): LlmError;
  /** clears the timer and aborts whatever is still open */
  end(): void;
}

export function deadline(timeoutMs: number, signal: AbortSignal | undefined): Deadline {
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  if (signal?.aborted) controller.abort();
  else signal?.addEventListener("abort", onAbort, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    refresh: () => void timer.refresh(),
    failure(err, requestId, fallback) {
      if (err instanceof LlmError) return err;
      if (timedOut) return new LlmError("timeout", "DashScope did not answer in time.", { requestId });
      if (signal?.aborted) return new LlmError("aborted", "The request was stopped.", { requestId });
      return new LlmError("connection", fallback, { requestId });
    },
    end() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      controller.abort();
    },
  };
}
