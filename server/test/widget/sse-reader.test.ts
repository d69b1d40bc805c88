// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { type SseEvent, readSse } from "../../../widget/src/api/sse-reader.js";

const encoder = new TextEncoder();

/** A body delivering `bytes` in the given pieces, one read each. */
function bodyOf(bytes: Uint8Array, cuts: number[]): ReadableStream<Uint8Array> {
  const pieces: Uint8Array[] = [];
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    pieces.push(bytes.slice(at, cut));
    at = cut;
  }
  return new ReadableStream({
    pull(controller) {
      const next = pieces.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
}

async function readAll(body: ReadableStream<Uint8Array>): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for await (const event of readSse(body)) events.push(event);
  return events;
}

// What the server writes (server/src/http/sse.ts), with Chinese text, emoji and a heartbeat comment.
const SERVER_STREAM =
  'event: start\ndata: {"conversationId":"conv_1","userMessageId":"msg_1"}\n\n' +
  ": ping\n\n" +
  'event: delta\ndata: {"text":"你好，"}\n\n' +
  'event: delta\ndata: {"text":"欢迎光临！🎉 **加粗**"}\n\n' +
  'event: done\ndata: {"messageId":"msg_2","status":"complete","usage":null}\n\n';

const EXPECTED: SseEvent[] = [
  { event: "start", data: '{"conversationId":"conv_1","userMessageId":"msg_1"}' },
  { event: "delta", data: '{"text":"你好，"}' },
  { event: "delta", data: '{"text":"欢迎光临！🎉 **加粗**"}' },
  { event: "done", data: '{"messageId":"msg_2","status":"complete","usage":null}' },
];

describe("readSse", () => {
  it("reads the server's stream whole", async () => {
    expect(await readAll(bodyOf(encoder.encode(SERVER_STREAM), []))).toEqual(EXPECTED);
  });

  it("gives the same events when the bytes are split at every single byte boundary", async () => {
    const bytes = encoder.encode(SERVER_STREAM);
    // Every split point, including inside the 3-byte Chinese characters and the 4-byte emoji.
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(await readAll(bodyOf(bytes, [cut])), `split at byte ${cut}`).toEqual(EXPECTED);
    }
  });

  it("gives the same events when every byte arrives on its own", async () => {
    const bytes = encoder.encode(SERVER_STREAM);
    const cuts = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
    expect(await readAll(bodyOf(bytes, cuts))).toEqual(EXPECTED);
  });

  it("decodes a Chinese character cut into each possible pair of pieces", async () => {
    const bytes = encoder.encode('event: delta\ndata: {"text":"中"}\n\n');
    const start = bytes.indexOf(0xe4); // 中 = e4 b8 ad
    for (const cuts of [[start + 1], [start + 2], [start + 1, start + 2]]) {
      const events = await readAll(bodyOf(bytes, cuts));
      expect(JSON.parse(events[0].data).text).toBe("中");
    }
  });

  it("accepts CRLF and CR line ends, also when a CRLF is split between chunks", async () => {
    const crlf = encoder.encode(SERVER_STREAM.replace(/\n/g, "\r\n"));
    const cr = encoder.encode(SERVER_STREAM.replace(/\n/g, "\r"));
    for (const bytes of [crlf, cr]) {
      for (let cut = 1; cut < bytes.length; cut++) {
        expect(await readAll(bodyOf(bytes, [cut])), `split at byte ${cut}`).toEqual(EXPECTED);
      }
    }
  });

  it("joins multi-line data, defaults the event name, skips comments and unknown fields, and tells an event's id", async () => {
    const text = ": hello\nid: 7\nretry: 1000\ndata: line one\ndata:line two\ndata\n\nevent: x\nfoo: bar\ndata: {}\n\n";
    expect(await readAll(bodyOf(encoder.encode(text), [5, 17]))).toEqual([
      { event: "message", data: "line one\nline two\n", id: "7" },
      { event: "x", data: "{}", id: undefined },
    ]);
  });

  it("ignores blank lines without data and drops an event the stream did not finish", async () => {
    const text = '\n\nevent: delta\n\nevent: delta\ndata: {"text":"a"}\n\nevent: done\ndata: {}';
    expect(await readAll(bodyOf(encoder.encode(text), []))).toEqual([{ event: "delta", data: '{"text":"a"}' }]);
  });

  it("cancels the body when the reader stops early", async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(encoder.encode("data: 1\n\ndata: 2\n\n"));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const event of readSse(body)) {
      expect(event.data).toBe("1");
      break;
    }
    expect(cancelled).toBe(true);
  });
});
