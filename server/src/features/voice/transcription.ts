import type { AppDeps } from "../../deps.js";
import { AppError } from "../../errors.js";
import type { VisitorContext } from "../../http/route.js";
import { LlmError } from "../../llm/chat-model.js";
import { ASR_MODEL } from "../../llm/media-models.js";
import { admitTokens } from "../../security/monthly-quota.js";
import { findVisitorConversation } from "../chat/chat.repository.js";
import { findVisitorMedia } from "../media/media.repository.js";
import { platformBudget } from "../operator/settings.js";
import { siteApiKey } from "../sites/sites.service.js";
import { recordSpeechCall, speechError } from "./speech-calls.js";

/** Qwen's audio rate: a second of audio is 25 tokens (docs/media.md "Voice"). */
export const TOKENS_PER_SECOND = 25;

/**
 * A visitor's recording made text (docs/media.md "Voice"): their own ready clip of this
 * conversation, its seconds held on the month's tokens and settled with what DashScope billed.
 */
export async function transcribe(deps: AppDeps, { visitor, site }: VisitorContext, conversationId: string, uploadId: string) {
  const conversation = await findVisitorConversation(deps.db, site.id, visitor.visitorId, conversationId);
  if (!conversation) throw new AppError("not_found", "No such conversation.");
  if (!site.media.voiceInput) throw new AppError("media_disabled", "This assistant does not take voice messages.");
  const scope = { siteId: site.id, visitorId: visitor.visitorId, conversationId: conversation.id };
  const clip = await findVisitorMedia(deps.db, scope, uploadId);
  if (!clip) throw new AppError("not_found", "No such upload.");
  if (clip.kind !== "audio" || clip.status !== "ready") throw new AppError("upload_not_ready");
  const audio = await deps.files.get(clip.storageKey);
  if (!audio) throw new AppError("upload_not_ready");

  const seconds = Math.max(1, Math.ceil((clip.durationMs ?? 0) / 1000));
  const reservation = await admitTokens({
    counters: deps.counters,
    limits: site.limits,
    siteId: site.id,
    now: deps.now(),
    tokens: seconds * TOKENS_PER_SECOND,
    onPlatform: site.apiKey === null,
    platformBudget: site.apiKey === null ? await platformBudget(deps) : null,
  });
  const key = siteApiKey(deps.keyring, site);
  const call = {
    siteId: site.id,
    conversationId: conversation.id,
    messageId: null,
    model: ASR_MODEL,
    kind: "asr" as const,
    started: performance.now(),
  };
  try {
    if (!key.usable) throw new LlmError("auth", "The site's key cannot be decrypted.", { upstreamCode: "site_key_unusable" });
    const heard = await deps.speech.recognizer.recognize({
      audio,
      mediaType: clip.mediaType,
      language: site.bot.language === "en" ? "en" : "zh",
      apiKey: key.key,
    });
    const billed = Math.max(1, Math.ceil(heard.seconds ?? seconds));
    await reservation.settle(billed * TOKENS_PER_SECOND);
    await recordSpeechCall(deps, call, { ok: true, units: billed, requestId: heard.requestId });
    const text = heard.text.trim();
    if (!text) throw new AppError("no_speech");
    return { text, durationMs: clip.durationMs };
  } catch (err) {
    if (!(err instanceof LlmError)) throw err;
    await reservation.release().catch(() => {});
    await recordSpeechCall(deps, call, { ok: false, units: 0, requestId: err.info.requestId ?? null, error: err });
    throw speechError(err);
  }
}
