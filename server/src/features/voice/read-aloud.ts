import type { AppDeps } from "../../deps.js";
import { iso } from "../../db/times.js";
import { AppError } from "../../errors.js";
import type { VisitorContext } from "../../http/route.js";
import { LlmError } from "../../llm/chat-model.js";
import { TTS_MODEL } from "../../llm/media-models.js";
import { admitTokens } from "../../security/monthly-quota.js";
import { mediaLinkSignature, verifyMediaLink } from "../uploads/media-links.js";
import { speechKey } from "../media/media.records.js";
import { platformBudget } from "../operator/settings.js";
import { siteById } from "../sites/sites.cache.js";
import { siteApiKey } from "../sites/sites.service.js";
import { recordSpeechCall, speechError } from "./speech-calls.js";
import { speechText } from "./speech-text.js";
import { findAnswer, findVisitorAnswer } from "./voice.repository.js";

/** How long a speech link plays (docs/media.md), in seconds like the media links. */
const LINK_SECONDS = 15 * 60;

const NOT_READY = "This answer is still being written or has no text to read aloud.";

/** What a speech link signs: the answer and the voice it is read in. */
const subject = (messageId: string, voice: string) => `speech:${messageId}:${voice}`;

/**
 * A link that reads the visitor's answer aloud in the site's voice (docs/media.md "Voice"): the
 * answer must be finished and have words.
 */
export async function speechLink(deps: AppDeps, { visitor, site }: VisitorContext, messageId: string) {
  const answer = await findVisitorAnswer(deps.db, { siteId: site.id, visitorId: visitor.visitorId }, messageId);
  if (!answer) throw new AppError("not_found", "No such answer.");
  if (!site.media.readAloud) throw new AppError("media_disabled", "This assistant does not read answers aloud.");
  if (answer.status === "streaming" || !speechText(answer.content)) throw new AppError("answer_not_ready", NOT_READY);
  const voice = site.media.voice;
  const expiry = Math.floor(deps.now() / 1000) + LINK_SECONDS;
  const query = new URLSearchParams({ voice, e: String(expiry), s: mediaLinkSignature(deps, subject(answer.id, voice), expiry) });
  return { url: `${deps.config.publicUrl}/v1/speech/${encodeURIComponent(answer.id)}?${query}`, expiresAt: iso(expiry * 1000) };
}

const AUDIO_HEADERS = {
  "content-type": "audio/mpeg",
  "cache-control": "private, max-age=900",
  "x-content-type-options": "nosniff",
};

/**
 * The answer read aloud: from the cache when it was read before in this voice; else CosyVoice,
 * each piece written to the response as it arrives and the whole file cached when it ends. The
 * characters count on the month's tokens one for one.
 */
export async function speechAudio(deps: AppDeps, messageId: string, query: { voice?: string; e?: string; s?: string }): Promise<Response> {
  const link = { voice: query.voice ?? "", e: query.e ?? "", s: query.s ?? "" };
  if (!link.voice || !verifyMediaLink(deps, subject(messageId, link.voice), link.e, link.s))
    throw new AppError("not_found", "This link is invalid or has expired.");
  const answer = await findAnswer(deps.db, messageId);
  const site = answer && (await siteById(deps, answer.siteId));
  if (!answer || !site) throw new AppError("not_found", "No such answer.");
  const key = speechKey(site.id, answer.id, link.voice);
  const cached = await deps.files.get(key);
  if (cached) return new Response(Buffer.from(cached), { headers: { ...AUDIO_HEADERS, "content-length": String(cached.byteLength) } });

  const text = speechText(answer.content);
  if (!text) throw new AppError("answer_not_ready", NOT_READY);
  const characters = Array.from(text).length;
  const reservation = await admitTokens({
    counters: deps.counters,
    limits: site.limits,
    siteId: site.id,
    now: deps.now(),
    tokens: characters,
    onPlatform: site.apiKey === null,
    platformBudget: site.apiKey === null ? await platformBudget(deps) : null,
  });
  const apiKey = siteApiKey(deps.keyring, site);
  const call = {
    siteId: site.id,
    conversationId: answer.conversationId,
    messageId: answer.id,
    model: TTS_MODEL,
    kind: "tts" as const,
    started: performance.now(),
  };
  let speech;
  try {
    if (!apiKey.usable) throw new LlmError("auth", "The site's key cannot be decrypted.", { upstreamCode: "site_key_unusable" });
    speech = await deps.speech.synthesizer.synthesize({ text, voice: link.voice, apiKey: apiKey.key });
  } catch (err) {
    if (!(err instanceof LlmError)) throw err;
    await reservation.release().catch(() => {});
    await recordSpeechCall(deps, call, { ok: false, units: 0, requestId: err.info.requestId ?? null, error: err });
    throw speechError(err);
  }
  const stream = speech;
  const pieces: Uint8Array[] = [];
  const chunks = stream.chunks[Symbol.asyncIterator]();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await chunks.next();
        if (!next.done) {
          pieces.push(next.value);
          controller.enqueue(next.value);
          return;
        }
        const billed = stream.characters() ?? characters;
        await reservation.settle(billed).catch(() => {});
        await recordSpeechCall(deps, call, { ok: true, units: billed, requestId: stream.requestId });
        // Cached only whole (a cut stream is synthesised again next time), and before the response
        // ends, so a play that follows this one finds it.
        await deps.files
          .put(key, Buffer.concat(pieces), "audio/mpeg")
          .catch((err: unknown) =>
            deps.logger.info({ msg: "speech not cached", siteId: site.id, error: err instanceof Error ? err.name : typeof err }),
          );
        controller.close();
      } catch (err) {
        // Cut mid-way: DashScope billed what it read; the whole text is the sure upper bound.
        await reservation.settle(characters).catch(() => {});
        const failure = err instanceof LlmError ? err : new LlmError("connection", String(err));
        await recordSpeechCall(deps, call, { ok: false, partial: true, units: characters, requestId: stream.requestId, error: failure });
        controller.error(failure);
      }
    },
    async cancel() {
      // The listener stopped: the synthesis is abandoned; what was read is billed.
      await chunks.return?.();
      await reservation.settle(characters).catch(() => {});
      await recordSpeechCall(deps, call, { ok: false, partial: true, units: characters, requestId: stream.requestId });
    },
  });
  return new Response(body, { headers: AUDIO_HEADERS });
}
