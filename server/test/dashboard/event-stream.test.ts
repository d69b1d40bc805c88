import { afterEach, describe, expect, it, vi } from "vitest";
import { openEventStream, readEvents } from "../../dashboard/src/live/event-stream.js";

/** The dashboard's SSE reader (live/event-stream.ts): the format as servers write it, reconnects and back-off. */
const body = (...chunks: string[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      controller.close();
    },
  });

const collect = async (stream: ReadableStream<Uint8Array>) => {
  const events = [];
  for await (const event of readEvents(stream)) events.push(event);
  return events;
};

describe("the dashboard's event stream reader", () => {
  afterEach(() => vi.useRealTimers());

  it("reads events split anywhere across chunks, with CRLF or LF, multi-line data, comments and ids", async () => {
    const events = await collect(
      body(
        ": ping\n\n",
        "id: 7\nevent: conver",
        'sation\ndata: {"a":1}\r\n\r\n',
        "data: one\ndata: two\n\n",
        "id: 9\n\nevent: message\ndata: x\n\n",
      ),
    );
    expect(events).toEqual([
      { id: "7", type: "conversation", data: '{"a":1}' },
      { id: "7", type: "message", data: "one\ntwo" },
      { id: "9", type: "message", data: "x" },
    ]);
  });

  it("reconnects with the last id when the server ends the stream, and backs off after failures", async () => {
    vi.useFakeTimers();
    const asked: Array<string | null> = [];
    const answers: Array<() => Response> = [
      () => new Response(body("id: 3\nevent: message\ndata: {}\n\n")),
      () => {
        throw new TypeError("network");
      },
      () => new Response("", { status: 503 }),
      () => new Response(body("id: 4\nevent: message\ndata: {}\n\n")),
      () => new Response("", { status: 401 }),
    ];
    const seen: string[] = [];
    let refused: number | null = null;
    const stop = openEventStream({
      connect: async (lastEventId) => {
        asked.push(lastEventId);
        return answers[asked.length - 1]();
      },
      onEvent: (event) => seen.push(event.id!),
      onRefused: (status) => (refused = status),
      baseDelayMs: 1000,
    });
    await vi.advanceTimersByTimeAsync(0);
    // The first stream ended after its event: asked again at once, from id 3; that failed.
    expect(asked).toEqual([null, "3"]);
    await vi.advanceTimersByTimeAsync(999);
    expect(asked).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(asked).toHaveLength(3); // after 1 s; answered 503
    await vi.advanceTimersByTimeAsync(1999);
    expect(asked).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(asked).toEqual([null, "3", "3", "3", "4"]); // after 2 s more; then at once after the event; 401 ends it
    expect(seen).toEqual(["3", "4"]);
    expect(refused).toBe(401);
    stop();
  });
});
