import { expect } from "vitest";
import { TeamStreamEvents, VisitorStreamEvents } from "../../src/live/live.schemas.js";

export interface LiveSseEvent {
  id: string | null;
  event: string;
  data: any;
}

export interface LiveReader {
  /** Every event received so far. */
  events: LiveSseEvent[];
  /** The next event not yet returned by next(); null once the stream has ended. */
  next(): Promise<LiveSseEvent | null>;
  /** Resolves when the server ends the stream (with every event it sent). */
  ended: Promise<LiveSseEvent[]>;
  /** The client goes away. */
  close(): Promise<void>;
  /** The id of the last event received (what a client sends back as Last-Event-ID). */
  lastId(): string | null;
}

/**
 * Reads a live event stream (GET …/events) as it arrives. Each event is checked against the
 * route's documented schema (`kind`), so every test that reads one checks the contract the widget
 * and the dashboard rely on.
 */
export function readLive(res: Response, kind: "visitor" | "team"): LiveReader {
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const schemas: Record<string, { safeParse(v: unknown): { error?: { issues: unknown } } }> =
    kind === "visitor" ? VisitorStreamEvents : TeamStreamEvents;
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: LiveSseEvent[] = [];
  let taken = 0;
  let done = false;
  let wake: (() => void) | undefined;
  const ended = (async () => {
    let text = "";
    try {
      for (;;) {
        const { value, done: finished } = await reader.read();
        if (finished) break;
        text += decoder.decode(value, { stream: true });
        let cut: number;
        while ((cut = text.indexOf("\n\n")) >= 0) {
          const block = text.slice(0, cut);
          text = text.slice(cut + 2);
          let id: string | null = null;
          let event = "message";
          const data: string[] = [];
          for (const line of block.split("\n")) {
            if (line.startsWith("id: ")) id = line.slice(4);
            else if (line.startsWith("event: ")) event = line.slice(7);
            else if (line.startsWith("data: ")) data.push(line.slice(6));
          }
          if (!data.length) continue; // a heartbeat comment
          const parsed: unknown = JSON.parse(data.join("\n"));
          expect(Object.keys(schemas), `the ${kind} stream's event ${event}`).toContain(event);
          expect(schemas[event].safeParse(parsed).error?.issues, `${event} ${JSON.stringify(parsed)}`).toBeUndefined();
          events.push({ id, event, data: parsed });
          wake?.();
        }
      }
    } catch {
      // cancelled by close()
    }
    done = true;
    wake?.();
    return events;
  })();
  const next = async (): Promise<LiveSseEvent | null> => {
    while (taken >= events.length && !done) await new Promise<void>((resolve) => (wake = resolve));
    return taken < events.length ? events[taken++] : null;
  };
  return {
    events,
    next,
    ended,
    close: async () => {
      await reader.cancel().catch(() => {});
      await ended;
    },
    lastId: () => [...events].reverse().find((e) => e.id !== null)?.id ?? null,
  };
}

/** A message in the owner's shape (what the handoff routes publish), role agent unless said. */
export function ownerMessage(id: string, content: string, role: "user" | "assistant" | "agent" = "agent") {
  return {
    id,
    seq: 1,
    role,
    authorName: role === "agent" ? "Mei" : null,
    content,
    status: "complete",
    errorCode: null,
    model: null,
    promptTokens: null,
    completionTokens: null,
    latencyMs: null,
    ttftMs: null,
    createdAt: new Date().toISOString(),
    sources: [],
    feedback: null,
    attachments: [],
  };
}

/** Reads on until an event matches (those before it are kept in `events`); fails if the stream ends first. */
export async function until(reader: LiveReader, match: (e: LiveSseEvent) => boolean): Promise<LiveSseEvent> {
  for (;;) {
    const e = await reader.next();
    if (!e) throw new Error(`the stream ended first: ${JSON.stringify(reader.events)}`);
    if (match(e)) return e;
  }
}
