import { describe, expect, it } from "vitest";
import { sseData } from "../../src/llm/sse-data.js";

/** A body that arrives in the given pieces of bytes. */
function body(pieces: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const piece of pieces) controller.enqueue(piece);
      controller.close();
    },
  });
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<string[]> {
  const events: string[] = [];
  for await (const data of sseData(stream)) events.push(data);
  return events;
}

const WIRE =
  ": keep-alive comment\n\n" +
  'data: {"choices":[{"delta":{"content":"你好，"}}]}\n\n' +
  'event: message\r\nid: 7\r\ndata: {"choices":[{"delta":{"content":"🙂 world"}}]}\r\n\r\n' +
  "data: line one\ndata:line two\n\n" +
  "retry: 1000\n\n" +
  "data: [DONE]\n\n";
const EXPECTED = [
  '{"choices":[{"delta":{"content":"你好，"}}]}',
  '{"choices":[{"delta":{"content":"🙂 world"}}]}',
  "line one\nline two",
  "[DONE]",
];

describe("sseData: the data of each event of a text/event-stream body", () => {
  it("reads LF and CRLF events, joins multi-line data, skips comments and fields without data", async () => {
    expect(await collect(body([new TextEncoder().encode(WIRE)]))).toEqual(EXPECTED);
  });

  it("gives the same events however the bytes are cut, even inside a Chinese character or an emoji", async () => {
    const bytes = new TextEncoder().encode(WIRE);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(await collect(body([bytes.subarray(0, cut), bytes.subarray(cut)]))).toEqual(EXPECTED);
    }
    expect(await collect(body(Array.from(bytes, (b) => Uint8Array.of(b))))).toEqual(EXPECTED);
  });

  it("keeps a last event that the stream ended without its blank line", async () => {
    expect(await collect(body([new TextEncoder().encode('data: {"a":1}\n\ndata: {"b":2}')]))).toEqual(['{"a":1}', '{"b":2}']);
  });

  it("cancels the body when the reader stops early", async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode("data: x\n\n"));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const data of sseData(stream)) {
      expect(data).toBe("x");
      break;
    }
    expect(cancelled).toBe(true);
  });
});
