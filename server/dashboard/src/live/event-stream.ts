/**
 * A server-sent events reader over fetch (not EventSource): the request goes through the
 * dashboard's own fetch, so it carries the session cookie as every API call does, and tests can
 * run it against the real server. The server ends each stream after about 50 s; the reader then
 * reconnects at once with Last-Event-ID, so nothing published in between is missed. On a failure
 * (no answer, a 5xx) it waits longer each time (1 s, 2 s, 4 s … 30 s) before trying again; an
 * answer that will not change by retrying (401, 403, 404) stops it.
 */

export interface StreamEvent {
  id: string | null;
  type: string;
  data: string;
}

export interface EventStreamOptions {
  /** opens the stream after `lastEventId` */
  connect(lastEventId: string | null, signal: AbortSignal): Promise<Response>;
  onEvent(event: StreamEvent): void;
  /** the stream was refused for good (its status) */
  onRefused?(status: number): void;
  /** the first wait after a failure; doubled each time up to maxDelayMs */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** a stream that stayed open this long ended normally (its time was up), even without an event */
  healthyAfterMs?: number;
}

const FINAL = new Set([401, 403, 404]);

/** Starts reading; the returned function stops it (and aborts the request under way). */
export function openEventStream(options: EventStreamOptions): () => void {
  const controller = new AbortController();
  const base = options.baseDelayMs ?? 1000;
  const max = options.maxDelayMs ?? 30_000;
  let lastEventId: string | null = null;
  let failures = 0;

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      controller.signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
    });

  void (async () => {
    while (!controller.signal.aborted) {
      try {
        const res = await options.connect(lastEventId, controller.signal);
        if (FINAL.has(res.status)) {
          void res.body?.cancel().catch(() => {});
          options.onRefused?.(res.status);
          return;
        }
        if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
        const openedAt = Date.now();
        let received = false;
        for await (const event of readEvents(res.body, controller.signal)) {
          if (event.id !== null) lastEventId = event.id;
          received = true;
          failures = 0;
          options.onEvent(event);
        }
        // The server ended it (its ~50 s): again at once. A stream that ended at once without a
        // word counts as a failure, so such a server is not asked in a tight loop.
        if (received || Date.now() - openedAt >= (options.healthyAfterMs ?? 5000)) failures = 0;
        else await wait(Math.min(max, base * 2 ** failures++));
      } catch {
        if (controller.signal.aborted) return;
        await wait(Math.min(max, base * 2 ** failures++));
      }
    }
  })();

  return () => controller.abort();
}

/** The events of one response body, as the SSE format defines them (comments and retry: ignored). */
export async function* readEvents(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<StreamEvent> {
  const reader = body.getReader();
  const onAbort = () => void reader.cancel().catch(() => {});
  signal?.addEventListener("abort", onAbort, { once: true });
  const decoder = new TextDecoder();
  let buffer = "";
  let id: string | null = null;
  let type = "";
  let data: string[] = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith("\r\n", newline) ? 2 : 1));
        if (line === "") {
          if (data.length) yield { id, type: type || "message", data: data.join("\n") };
          type = "";
          data = [];
          continue;
        }
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const name = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (name === "data") data.push(value);
        else if (name === "event") type = value;
        else if (name === "id" && !value.includes("\0")) id = value;
      }
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    reader.releaseLock();
  }
}
