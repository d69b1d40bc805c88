import { LlmError } from "./chat-model.js";
import { ASR_MODEL, type Recognition, type RecognizeRequest, type SpeechRecognizer } from "./media-models.js";
import { deadline } from "./deadline.js";
import { openAiClients } from "./openai-clients.js";
import { toLlmError } from "./upstream-errors.js";

export interface SpeechRecognizerOptions {
  /** compatible-mode base (config.dashscope.baseUrl) */
  baseUrl: string;
  apiKey?: string;
  timeoutMs: number;
}

/**
 * qwen3-asr-flash in compatible mode (platform-next.md §4b): one synchronous chat completion
 * whose user content is the clip as a data: URL, so there is no upload step and no task to poll.
 */
export function createSpeechRecognizer(options: SpeechRecognizerOptions): SpeechRecognizer {
  const clientFor = openAiClients(options);
  return {
    async recognize(request: RecognizeRequest): Promise<Recognition> {
      const apiKey = request.apiKey ?? options.apiKey;
      if (!apiKey) throw new LlmError("auth", "No DashScope API key is configured.");
      const time = deadline(options.timeoutMs, request.signal);
      try {
        const data = `data:${request.mediaType};base64,${Buffer.from(request.audio).toString("base64")}`;
        const body = {
          model: ASR_MODEL,
          // DashScope's input_audio has no `format` (the data: URL says it), which the SDK's type requires.
          messages: [{ role: "user" as const, content: [{ type: "input_audio", input_audio: { data } }] }],
          stream: false as const,
          // Not an OpenAI field: the SDK sends unknown body fields as they are (extra_body in Python).
          asr_options: { enable_itn: true, ...(request.language ? { language: request.language } : {}) },
        };
        const { data: completion, response } = await clientFor(apiKey)
          .chat.completions.create(body as never, { signal: time.signal })
          .withResponse();
        const requestId = response.headers.get("x-request-id");
        const message = completion?.choices?.[0]?.message;
        if (!message) throw new LlmError("malformed", "The speech model sent an answer we cannot read.", { requestId });
        // usage.seconds: the clip's billed length (qwen3-asr-flash reports it beside the tokens).
        const seconds = (completion.usage as { seconds?: unknown } | undefined)?.seconds;
        return {
          text: typeof message.content === "string" ? message.content.trim() : "",
          seconds: typeof seconds === "number" && Number.isFinite(seconds) ? seconds : null,
          requestId,
        };
      } catch (err) {
        throw toLlmError(err, { timedOut: time.timedOut, aborted: request.signal?.aborted ?? false, requestId: null });
      } finally {
        time.end();
      }
    },
  };
}
