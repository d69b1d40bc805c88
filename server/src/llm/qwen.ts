import OpenAI from "openai";
import { type ChatChunk, type ChatMessage, type ChatModel, type ChatRequest, LlmError, type ToolSpec } from "./chat-model.js";
import { sseData } from "./sse-data.js";
import { toLlmError } from "./upstream-errors.js";
import { openAiClients } from "./openai-clients.js";

/** Hybrid-thinking open-source Qwen3 models think by default; a chat widget wants the answer only (dashscope.md §2.1). */
const HYBRID_THINKING = /^qwen3-\d+(\.\d+)?b$/;

export interface QwenOptions {
  baseUrl: string;
  apiKey?: string;
  /** Time allowed until the first chunk, and then between chunks. */
  timeoutMs: number;
}

/** Qwen through the openai SDK in DashScope's compatible mode. Retries are the chat service's: it only retries before the first token. */
export function createQwenModel(options: QwenOptions): ChatModel {
  const clientFor = openAiClients(options);

  return {
    async *stream(request: ChatRequest): AsyncIterable<ChatChunk> {
      const apiKey = request.apiKey ?? options.apiKey;
      if (!apiKey) throw new LlmError("auth", "No DashScope API key is configured.");
      const controller = new AbortController();
      const onAbort = () => controller.abort();
      // A stop that came before this answer started (tasks cancelled) cuts it at once too.
      if (request.signal?.aborted) controller.abort();
      else request.signal?.addEventListener("abort", onAbort, { once: true });
      let timedOut = false;
      // One timer per answer, pushed back at every chunk (refresh() is much cheaper than a new timer per chunk).
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, options.timeoutMs);
      const arm = () => timer.refresh();

      let requestId: string | null = null;
      try {
        const body = {
          model: request.model,
          messages: request.messages.map(toWire),
          ...(request.tools?.length ? { tools: request.tools.map(toTool) } : {}),
          temperature: request.temperature,
          max_tokens: request.maxTokens,
          stream: true as const,
          stream_options: { include_usage: true },
          ...(HYBRID_THINKING.test(request.model) ? { enable_thinking: false } : {}),
        };
        // The SDK makes the request and turns an HTTP error into its APIError; the event stream
        // is read by sseData (see there why), with the SDK's rules: [DONE] ends it, an `error`
        // object is the SDK's APIError, a chunk that is not JSON is a SyntaxError.
        const response = await clientFor(apiKey).chat.completions.create(body, { signal: controller.signal }).asResponse();
        requestId = response.headers.get("x-request-id");
        if (!response.body) throw new LlmError("malformed", "The model sent no answer.", { requestId });
        let finishReason: string | null = null;
        let usage: { promptTokens: number; completionTokens: number } | null = null;
        let done = false;
        // Streamed function calls, by index: id and name come with the first piece, the arguments in pieces (platform-next.md §4d).
        const calls = new Map<number, { id: string; name: string; arguments: string }>();
        for await (const data of sseData(response.body)) {
          arm();
          // Read on to the end after [DONE], so the connection can serve the next answer.
          if (done) continue;
          if (data.startsWith("[DONE]")) {
            done = true;
            continue;
          }
          const chunk = JSON.parse(data) as OpenAI.ChatCompletionChunk & { error?: unknown };
          if (chunk?.error) throw new OpenAI.APIError(undefined, chunk.error as object, undefined, response.headers);
          if (!chunk || typeof chunk !== "object" || !Array.isArray(chunk.choices)) {
            throw new LlmError("malformed", "The model sent a chunk we cannot read.", { requestId });
          }
          const choice = chunk.choices[0];
          const text = choice?.delta?.content;
          if (text) yield { type: "text", text };
          for (const piece of choice?.delta?.tool_calls ?? []) {
            const index = typeof piece.index === "number" ? piece.index : 0;
            const call = calls.get(index) ?? { id: "", name: "", arguments: "" };
            // Continuations repeat `id: ""` and omit the name; the first non-empty one stands.
            if (!call.id && piece.id) call.id = piece.id;
            if (!call.name && piece.function?.name) call.name = piece.function.name;
            if (piece.function?.arguments) call.arguments += piece.function.arguments;
            calls.set(index, call);
          }
          if (choice?.finish_reason) finishReason = choice.finish_reason;
          if (chunk.usage) {
            usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
          }
        }
        // However the body ended, an abort (a timeout, a stop) half way must not pass for a
        // whole answer (the SDK's own reader ended such a stream quietly, as if complete).
        if (controller.signal.aborted) throw new Error("aborted");
        for (const [index, call] of [...calls.entries()].sort((a, b) => a[0] - b[0])) {
          if (!call.name) throw new LlmError("malformed", "The model sent a function call without a name.", { requestId });
          yield { type: "tool_call", id: call.id || `call_${index}`, name: call.name, arguments: call.arguments };
        }
        yield { type: "end", finishReason, usage, requestId };
      } catch (err) {
        throw toLlmError(err, { timedOut, aborted: request.signal?.aborted ?? false, requestId });
      } finally {
        clearTimeout(timer);
        request.signal?.removeEventListener("abort", onAbort);
        // Leaving the loop early (break/throw) must not leave the upstream request open.
        controller.abort();
      }
    },
  };
}

/** A message as compatible mode takes it: a user turn's pictures as `image_url` parts before its text (platform-next.md §4a). */
function toWire(message: ChatMessage): OpenAI.ChatCompletionMessageParam {
  if (message.role !== "user" || !message.images?.length) return { role: message.role, content: message.content };
  return {
    role: "user",
    content: [
      ...message.images.map((url) => ({ type: "image_url" as const, image_url: { url } })),
      // A turn may be pictures only (docs/media.md); an empty text part is left out.
      ...(message.content ? [{ type: "text" as const, text: message.content }] : []),
    ],
  };
}

const toTool = (tool: ToolSpec): OpenAI.ChatCompletionTool => ({
  type: "function",
  function: { name: tool.name, description: tool.description, parameters: tool.parameters },
});
