import { LlmError } from "./chat-model.js";
import { IMAGE_MODEL, type ImageGenerator, type ImageTask, type ImageTaskStatus } from "./media-models.js";
import { deadline } from "./deadline.js";
import { nativeLlmError, parseJson } from "./native-api.js";

export interface ImageGeneratorOptions {
  /** DashScope's native base, e.g. https://dashscope.aliyuncs.com/api/v1 (config.dashscope.nativeBaseUrl) */
  nativeBaseUrl: string;
  apiKey?: string;
  /** time allowed for each call (a submit, a poll, a download) */
  timeoutMs: number;
}

/** docs/media.md: a drawing bigger than this is not stored. */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

const STATUSES = new Set<ImageTaskStatus>(["PENDING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELED", "UNKNOWN"]);

/** Wanx text-to-image as DashScope's async task (dashscope.md §7.1–7.2): submit, poll, download. */
export function createImageGenerator(options: ImageGeneratorOptions): ImageGenerator {
  const base = options.nativeBaseUrl.replace(/\/+$/, "");

  /** One native JSON call: its body on 2xx, else the native error (shape D) as an LlmError. */
  // any: upstream JSON, checked where it is read.
  async function call(path: string, init: RequestInit, apiKey: string | undefined, signal: AbortSignal | undefined): Promise<any> {
    const key = apiKey ?? options.apiKey;
    if (!key) throw new LlmError("auth", "No DashScope API key is configured.");
    const time = deadline(options.timeoutMs, signal);
    let requestId: string | null = null;
    try {
      const response = await fetch(`${base}${path}`, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${key}` },
        signal: time.signal,
      });
      requestId = response.headers.get("x-request-id");
      const body = parseJson(await response.text());
      if (!response.ok) throw nativeLlmError(body, response.status, requestId);
      if (!body || typeof body !== "object" || !body.output || typeof body.output !== "object") {
        throw new LlmError("malformed", "The image service sent an answer we cannot read.", { requestId });
      }
      return body;
    } catch (err) {
      throw time.failure(err, requestId, "Could not reach the image service.");
    } finally {
      time.end();
    }
  }

  return {
    async submit({ prompt, size, apiKey, signal }) {
      const body = await call(
        "/services/aigc/text2image/image-synthesis",
        {
          method: "POST",
          // Image endpoints take no synchronous HTTP call: without this header, 403 (§7.1).
          headers: { "content-type": "application/json", "x-dashscope-async": "enable" },
          body: JSON.stringify({
            model: IMAGE_MODEL,
            input: { prompt },
            // One picture (n defaults to 4); the prompt rewritten by the service; no "AI generated" mark.
            parameters: { size, n: 1, prompt_extend: true, watermark: false },
          }),
        },
        apiKey,
        signal,
      );
      const taskId = body.output.task_id;
      if (typeof taskId !== "string" || taskId === "") {
        throw new LlmError("malformed", "The image service sent no task id.", { requestId: body.request_id ?? null });
      }
      return { taskId, requestId: typeof body.request_id === "string" ? body.request_id : null };
    },

    async poll(taskId, pollOptions = {}): Promise<ImageTask> {
      const body = await call(`/tasks/${encodeURIComponent(taskId)}`, { method: "GET" }, pollOptions.apiKey, pollOptions.signal);
      const output = body.output;
      const status: ImageTaskStatus = STATUSES.has(output.task_status) ? output.task_status : "UNKNOWN";
      // A partly failed result carries code/message instead of url (§7.2).
      const results: any[] = Array.isArray(output.results) ? output.results : [];
      const urls = results.map((r) => r?.url).filter((u): u is string => typeof u === "string" && u !== "");
      const failed = results.find((r) => typeof r?.code === "string");
      return {
        status,
        urls,
        code: typeof output.code === "string" ? output.code : (failed?.code ?? null),
        message: typeof output.message === "string" ? output.message : (failed?.message ?? null),
        requestId: typeof body.request_id === "string" ? body.request_id : null,
      };
    },

    async download(url, signal) {
      // The URL is the one DashScope's task answered (its own result bucket), not one an owner or
      // visitor gave, so it is fetched as it is: the size bound and the deadline are what protect us.
      const time = deadline(options.timeoutMs, signal);
      try {
        const response = await fetch(url, { signal: time.signal });
        if (!response.ok || !response.body) {
          await response.body?.cancel().catch(() => {});
          // Result URLs expire after 24 h (§7.1): another try will not help.
          throw new LlmError(
            response.status >= 500 ? "unavailable" : "bad_request",
            `The picture could not be downloaded (HTTP ${response.status}).`,
            {
              status: response.status,
            },
          );
        }
        const declared = Number(response.headers.get("content-length"));
        if (declared > MAX_IMAGE_BYTES) {
          await response.body.cancel().catch(() => {});
          throw new LlmError("malformed", "The picture is too large.", { status: response.status });
        }
        const parts: Uint8Array[] = [];
        let total = 0;
        for await (const part of response.body as unknown as AsyncIterable<Uint8Array>) {
          total += part.byteLength;
          if (total > MAX_IMAGE_BYTES) throw new LlmError("malformed", "The picture is too large.", { status: response.status });
          parts.push(part);
          time.refresh();
        }
        const mediaType = (response.headers.get("content-type") ?? "application/octet-stream").split(";")[0]!.trim().toLowerCase();
        return { bytes: Buffer.concat(parts), mediaType };
      } catch (err) {
        throw time.failure(err, null, "Could not download the picture.");
      } finally {
        time.end();
      }
    },
  };
}
