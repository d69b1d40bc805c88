import { expect } from "vitest";

export interface OpenStream {
  /** Every event of the stream, once it has ended. */
  events: Promise<Array<{ event: string; data: any }>>;
}

/** Reads a chat answer's SSE body until its first `delta` (the answer is streaming), then the rest in the background. */
export async function untilFirstDelta(res: Response): Promise<OpenStream> {
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes("event: delta")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the stream ended before any delta: ${text}`);
    text += decoder.decode(value, { stream: true });
  }
  const events = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    return text
      .split("\n\n")
      .filter((block) => block.includes("data: "))
      .map((block) => ({ event: /^event: (.*)$/m.exec(block)?.[1] ?? "message", data: JSON.parse(/^data: (.*)$/m.exec(block)![1]) }));
  })();
  events.catch(() => {}); // awaited by the test; a failure there is reported there
  return { events };
}
