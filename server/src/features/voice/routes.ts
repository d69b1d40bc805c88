import type { AppDeps } from "../../deps.js";
import type { Router } from "../../http/route.js";
import { speechAudio, speechLink } from "./read-aloud.js";
import { transcribe } from "./transcription.js";
import {
  SpeechLinkResponse,
  SpeechParams,
  SpeechQuery,
  TranscriptionBody,
  TranscriptionParams,
  TranscriptionResponse,
} from "./voice.schemas.js";

export function registerVoiceRoutes(router: Router, deps: AppDeps): void {
  const common = { tag: "widget", auth: "visitor" as const, errors: ["unauthorized", "origin_required", "origin_not_allowed"] as const };

  router.add({
    ...common,
    errors: [
      ...common.errors,
      "not_found",
      "invalid_body",
      "media_disabled",
      "upload_not_ready",
      "no_speech",
      "speech_unavailable",
      "rate_limited",
      "quota_exceeded",
    ],
    method: "POST",
    path: "/v1/conversations/:conversationId/transcriptions",
    summary:
      "The text of a voice recording (an audio upload of this conversation, completed): qwen3-asr-flash; 422 no_speech when nothing was said",
    params: TranscriptionParams,
    body: TranscriptionBody,
    response: TranscriptionResponse,
    handler: ({ visitor, site, ip, params, body }) => transcribe(deps, { visitor, site, ip }, params.conversationId, body.uploadId),
  });

  router.add({
    ...common,
    errors: [...common.errors, "not_found", "media_disabled", "answer_not_ready"],
    method: "POST",
    path: "/v1/messages/:messageId/speech",
    summary: "A signed link (15 minutes) that plays an answer of the visitor's read aloud in the site's voice, for an <audio> element",
    params: SpeechParams,
    response: SpeechLinkResponse,
    handler: ({ visitor, site, ip, params }) => speechLink(deps, { visitor, site, ip }, params.messageId),
  });

  router.add({
    method: "GET",
    path: "/v1/speech/:messageId",
    tag: "widget",
    auth: "none",
    summary:
      "An answer read aloud, audio/mpeg streamed as it is made (then cached); the signature in the link is the capability (links come from POST /v1/messages/:messageId/speech); 404 not_found once expired or altered, as for an unknown id",
    errors: ["invalid_params", "invalid_query", "not_found", "answer_not_ready", "speech_unavailable", "rate_limited", "quota_exceeded"],
    params: SpeechParams,
    query: SpeechQuery,
    responseKind: "empty",
    handler: ({ params, query }) => speechAudio(deps, params.messageId, query),
  });
}
