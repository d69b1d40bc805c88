/**
 * A text/event-stream body the server keeps writing to while it can. When the visitor goes away
 * the stream is cancelled and later writes are dropped, but the writer (the answer task) goes on:
 * the answer is still read to its end and stored.
 */
export interface SseWriter {
  /** `id`: the event's `id:` line, what the client sends back as Last-Event-ID when it reconnects */
  send(event: string, data: unknown, id?: string): void;
  /** A comment line (clients ignore it): written first by a stream that may be silent for long, so its headers go out at once. */
  comment(text: string): void;
  close(): void;
  /** true once the client has gone or close() was called */
  readonly closed: boolean;
  /** aborted once the client has gone or close() was called: a stream waiting for events stops waiting */
  readonly signal: AbortSignal;
}

const HEARTBEAT_MS = 15_000;
const encoder = new TextEncoder();

export function createSse(): { body: ReadableStream<Uint8Array>; writer: SseWriter } {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  let heartbeat: NodeJS.Timeout | undefined;
  const gone = new AbortController();

  const finish = () => {
    closed = true;
    clearInterval(heartbeat);
    gone.abort();
  };
  // Events written in the same turn of the event loop (the model's chunks often arrive several to
  // a network read) go out as one write: one syscall and one chunk of the HTTP body instead of
  // one each: per-delta writes were the largest single cost when many answers stream at once.
  let pending = "";
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (closed || !pending) return;
    const text = pending;
    pending = "";
    try {
      controller.enqueue(encoder.encode(text));
    } catch {
      finish();
    }
  };
  const write = (text: string) => {
    if (closed) return;
    pending += text;
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };

  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      // Keeps proxies and FC's gateway from timing out an idle connection while the model thinks.
      heartbeat = setInterval(() => write(": ping\n\n"), HEARTBEAT_MS);
      heartbeat.unref?.();
    },
    cancel() {
      finish();
    },
  });

  const writer: SseWriter = {
    send(event, data, id) {
      write(`${id === undefined ? "" : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    comment(text) {
      write(`: ${text.replace(/\n/g, " ")}\n\n`);
    },
    close() {
      if (closed) return;
      flush();
      finish();
      try {
        controller.close();
      } catch {
        // already closed by the client
      }
    },
    get closed() {
      return closed;
    },
    signal: gone.signal,
  };
  return { body, writer };
}

export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-store, no-transform",
  // nginx and Alibaba's gateways buffer responses unless told not to.
  "x-accel-buffering": "no",
} as const;

/**
 * A text/event-stream answer whose events `stream.run` writes, from work that may outlive the
 * request. Made only once the request was admitted: an error before it is a plain JSON answer,
 * and no heartbeat is left running for a stream nobody reads.
 */
export function sseResponse(stream: { run(writer: SseWriter): void }): Response {
  const { body, writer } = createSse();
  stream.run(writer);
  return new Response(body, { status: 200, headers: SSE_HEADERS });
}
