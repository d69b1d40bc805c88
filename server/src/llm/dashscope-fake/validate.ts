// Request checks the real service performs that are cheap to copy (§2.1, §3.2, §9 item 6).
import { errorSpec, MODELS, promptText, type ErrorSpec } from "./protocol.js";

const bad = (message: string, code = "invalid_parameter_error") => errorSpec(400, code, message, "invalid_request_error");

const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** Returns the error the service would answer with, or null when the request is acceptable. */
export function validateChatRequest(body: any): ErrorSpec | null {
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    return bad("Required body invalid, please check the request body format.");
  }
  const model = body.model;
  if (typeof model !== "string" || model === "") return bad("Model not exist.");
  const info = MODELS[model];
  if (!info) {
    return errorSpec(404, "model_not_found", `The model ${model} does not exist or you do not have access to it.`, "invalid_request_error");
  }
  if (!Array.isArray(body.messages)) return bad('Either "prompt" or "messages" must exist and cannot both be none');
  if (body.messages.length === 0) return bad("[] is too short");
  const hasPictures = body.messages.some((m: any) => Array.isArray(m?.content) && m.content.some((p: any) => p?.type === "image_url"));
  // Wording UNVERIFIED: a text model does not take pictures.
  if (hasPictures && !info.vision) return bad(`The model ${model} does not support image input.`);

  const { temperature, top_p, presence_penalty, n, top_logprobs, seed } = body;
  if (isNum(temperature) && (temperature < 0 || temperature >= 2)) return bad("Temperature should be in [0.0, 2.0)");
  if (isNum(top_p) && (top_p <= 0 || top_p > 1)) return bad("Range of top_p should be (0.0, 1.0]");
  if (isNum(presence_penalty) && (presence_penalty < -2 || presence_penalty > 2)) {
    return bad("Range of presence_penalty should be [-2.0, 2.0]");
  }
  for (const field of ["max_tokens", "max_completion_tokens"] as const) {
    const v = body[field];
    if (v != null && (!Number.isInteger(v) || v < 1)) return bad(`Range of ${field} should be [1, ${info.maxOutput}]`);
  }
  if (isNum(n) && (n < 1 || n > 4)) return bad("Range of n should be [1, 4]");
  if (isNum(top_logprobs) && (top_logprobs < 0 || top_logprobs > 5)) return bad("Range of top_logprobs should be [0, 5]");
  if (isNum(seed) && seed < 0) return bad(`${seed} is lesser than the minimum of 0 - 'seed'`, "invalid_value");
  if (isNum(seed) && seed > 2 ** 31 - 1) return bad(`${seed} is greater than the maximum of 2147483647 - 'seed'`, "invalid_value");

  if (body.response_format?.type === "json_object" && !/json/i.test(promptText(body))) {
    return bad("'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.");
  }
  const thinking = body.enable_thinking ?? info.thinkingByDefault ?? false;
  if (thinking === true && body.stream !== true) {
    return bad("parameter.enable_thinking must be set to false for non-streaming calls");
  }
  return null;
}
