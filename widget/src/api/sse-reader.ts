/** One server-sent event: its type ("message" when unnamed), its data lines joined by "\n", and its id if it had one. */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/**
 * Reads a text/event-stream body (WHATWG "event stream interpretation") event by event.
 * Bytes may be split anywhere: the decoder keeps a multi-byte character cut between chunks, and
 * a "\r" at the end of a chunk waits for the next one, which may start with its "\n".
 * Comments (": ping") and retry fields are skipped; an unfinished event at the end is dropped.
 */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  // Per call: a shared /g regex would carry lastIndex across streams read at the same time.
  const lineEnd = /\r\n|\r|\n/g;
  let buffer = "";
  let event = "";
  let data: string[] = [];
  let id: string | undefined;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let start = 0;
      lineEnd.lastIndex = 0;
      for (let m: RegExpExecArray | null; (m = lineEnd.exec(buffer)); start = lineEnd.lastIndex) {
        // A lone "\r" at the very end may be the first half of "\r\n": wait for more bytes.
        if (m[0] === "\r" && m.index === buffer.length - 1 && !done) break;
        const line = buffer.slice(start, m.index);
        if (line === "") {
          if (data.length) yield { event: event || "message", data: data.join("\n"), id };
          event = "";
          data = [];
          id = undefined;
          continue;
        }
        const colon = line.indexOf(":");
        if (colon === 0) continue;
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? "" : line.slice(colon + 1);
        if (value[0] === " ") value = value.slice(1);
        if (field === "event") event = value;
        else if (field === "data") data.push(value);
        else if (field === "id") id = value;
      }
      buffer = buffer.slice(start);
      if (done) return;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
