// What the fake does when no script is queued: the offline demo's "model".
import { SOURCE_BLOCK } from "../../features/knowledge/source-frame.js";
import { contentText, firstSentences, hasCjk, lastUserText } from "./protocol.js";
import type { FakeScript } from "./types.js";

export interface Pace {
  firstMs: number;
  eachMs: number;
}

/** Slow enough that streaming is visible in a browser, fast enough for end-to-end tests. */
export const DEMO_PACE: Pace = { firstMs: 80, eachMs: 15 };

const MARKER = /\[\[fake:(429|500|moderation|drop|hang|malformed)\]\]/;
const ALL_MARKERS = /\[\[fake:[a-z0-9-]+\]\]/g;
const MAX_ECHO = 300;

/**
 * The offline answer. With retrieved sources in the request (the SOURCE_BLOCK frame of a system
 * message), it answers from the first one, quoted and cited, in the question's language — so the
 * demo visibly answers from the site's knowledge base; otherwise it echoes the question.
 */
export function demoAnswer(userText: string, systemText = ""): string {
  const zh = hasCjk(userText);
  const source = new RegExp(SOURCE_BLOCK.source).exec(systemText);
  if (source) {
    const [, n, title, text] = source;
    const quote = firstSentences(text!);
    return zh
      ? `根据 [${n}]（${title}）：“${quote}”\n\n*离线演示回复，来自本地离线模型，并不是通义千问。*`
      : `According to [${n}] (${title}): "${quote}"\n\n*Offline demo reply from the local offline model, not from Qwen.*`;
  }
  const cleaned = userText.replace(ALL_MARKERS, "").trim();
  const points = Array.from(cleaned);
  const clipped = points.length > MAX_ECHO ? points.slice(0, MAX_ECHO).join("") + "…" : cleaned;
  const quote = (clipped || (zh ? "（空消息）" : "(empty message)"))
    .split("\n")
    .map((line) => `> ${line}`)
    .join("\n");
  return zh
    ? `**离线演示回复。** 这条回答来自本地离线模型，并不是通义千问。\n\n你刚才说：\n\n${quote}\n\n在服务器上设置 \`DASHSCOPE_API_KEY\` 即可与真正的通义千问（Qwen）对话。`
    : `**Offline demo reply.** This answer comes from the local offline model, not from Qwen.\n\nYou wrote:\n\n${quote}\n\nSet \`DASHSCOPE_API_KEY\` on the server to chat with the real Qwen model.`;
}

/** The script for a request that found the queue empty; a `[[fake:…]]` marker selects a failure mode. */
export function defaultScript(body: any): FakeScript {
  const userText = lastUserText(body);
  const messages: any[] = Array.isArray(body?.messages) ? body.messages : [];
  const systemText = messages
    .filter((m) => m?.role === "system")
    .map((m) => contentText(m.content))
    .join("\n");
  const text = demoAnswer(userText, systemText);
  switch (MARKER.exec(userText)?.[1]) {
    case "429":
      return { kind: "error", status: 429, code: "limit_requests" };
    case "500":
      return { kind: "error", status: 500, code: "internal_error" };
    case "moderation":
      return { kind: "moderation", text, afterChunks: 8 };
    case "drop":
      return { kind: "drop", text, afterChunks: 8 };
    case "hang":
      return { kind: "hang", phase: "before-headers" };
    case "malformed":
      return { kind: "malformed", text, afterChunks: 8 };
    default:
      return { kind: "answer", text, firstChunkDelayMs: DEMO_PACE.firstMs, chunkDelayMs: DEMO_PACE.eachMs };
  }
}
