// Function calling in the fake (platform-next.md §4d, dashscope.md §2.3 "Streaming tool calls"):
// the chunks of a tool_calls answer, and when the default "model" calls generate_image.
import { randomBytes } from "node:crypto";
import { lastUserText, type ChunkCtx } from "./protocol.js";
import type { FakeScript } from "./types.js";

type ToolCalls = Extract<FakeScript, { kind: "tool_calls" }>;

/** What asks for a picture (docs/media.md): 画, draw, picture of, image of. */
const WANTS_PICTURE = /画|\bdraw|\bpicture of\b|\bimage of\b/i;

// any: request bodies are the clients' JSON, unchecked (see types.ts).
const offers = (body: any, name: string) =>
  Array.isArray(body?.tools) && body.tools.some((t: any) => t?.type === "function" && t?.function?.name === name);

/** The default answer's tool call: generate_image with the question as the prompt, when offered and asked for. */
export function defaultToolCall(body: any): ToolCalls | null {
  const question = lastUserText(body).trim();
  if (!offers(body, "generate_image") || !WANTS_PICTURE.test(question)) return null;
  return { kind: "tool_calls", calls: [{ name: "generate_image", arguments: JSON.stringify({ prompt: question, size: "1024*1024" }) }] };
}

const callId = () => `call_${randomBytes(11).toString("hex")}`;

/** Arguments cut into pieces of about 8 characters, so a client must concatenate them. */
function pieces(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += 8) out.push(text.slice(i, i + 8));
  return out.length ? out : [""];
}

function chunk(ctx: ChunkCtx, delta: unknown, finishReason: string | null = null) {
  return {
    choices: [{ delta, finish_reason: finishReason, index: 0, logprobs: null }],
    object: "chat.completion.chunk",
    usage: null,
    created: ctx.created,
    system_fingerprint: null,
    model: ctx.model,
    id: ctx.id,
  };
}

/**
 * The streamed chunks, as DashScope sends them: the first piece of each call has its id and name
 * (and, on the first chunk, the role); later pieces repeat `id: ""` and `type`, omit the name;
 * then a chunk with finish_reason "tool_calls" and an empty delta.
 */
export function toolCallChunks(ctx: ChunkCtx, script: ToolCalls): unknown[] {
  const out: unknown[] = [];
  let first = true;
  if (script.text) {
    out.push(chunk(ctx, { content: script.text, role: "assistant" }));
    first = false;
  }
  for (const [index, call] of script.calls.entries()) {
    for (const [n, piece] of pieces(call.arguments).entries()) {
      const head = n === 0;
      const delta = {
        ...(first ? { content: null, role: "assistant" } : {}),
        tool_calls: [
          {
            index,
            id: head ? callId() : "",
            type: "function",
            function: head ? { name: call.name, arguments: piece } : { arguments: piece },
          },
        ],
      };
      out.push(chunk(ctx, delta));
      first = false;
    }
  }
  out.push(chunk(ctx, {}, "tool_calls"));
  return out;
}

/** The non-stream form: one message with the whole calls. */
export function toolCallMessage(script: ToolCalls) {
  return {
    role: "assistant",
    content: script.text ?? "",
    tool_calls: script.calls.map((c, index) => ({
      index,
      id: callId(),
      type: "function",
      function: { name: c.name, arguments: c.arguments },
    })),
  };
}
