import type { AppDeps } from "../../deps.js";
import type { Router } from "../../http/route.js";
import { serveMedia } from "./serve-media.js";
import {
  ConversationUploadParams,
  CreateUploadBody,
  CreateUploadResponse,
  MediaLinkQuery,
  MediaParams,
  UploadParams,
  UploadResponse,
} from "./uploads.schemas.js";
import { MAX_UPLOAD_BYTES, completeUpload, createUpload, putUploadContent } from "./uploads.service.js";

export function registerUploadRoutes(router: Router, deps: AppDeps): void {
  const common = {
    tag: "widget",
    auth: "visitor" as const,
    errors: ["unauthorized", "origin_required", "origin_not_allowed", "not_found"] as const,
  };

  router.add({
    ...common,
    errors: [...common.errors, "invalid_body", "media_disabled", "unsupported_media", "payload_too_large", "rate_limited"],
    method: "POST",
    path: "/v1/conversations/:conversationId/uploads",
    summary:
      "Start sending a picture (image/jpeg, image/png, image/webp; ≤ 10 MB; needs media.imageInput) or a recording (audio/webm, audio/ogg, audio/mp4, audio/wav; ≤ 2 MB; needs media.voiceInput); answers where the browser sends the bytes: an OSS PostObject form (method POST, fields, then file last) or, with the local file store, a PUT of the raw bytes with the visitor's token. At most 20 a minute per visitor; complete it once the bytes are sent",
    params: ConversationUploadParams,
    body: CreateUploadBody,
    response: CreateUploadResponse,
    status: 201,
    handler: async (ctx) => createUpload(deps, ctx, ctx.params.conversationId, ctx.body),
  });

  router.add({
    ...common,
    errors: [...common.errors, "payload_too_large", "upload_not_ready"],
    method: "PUT",
    path: "/v1/uploads/:uploadId/content",
    summary: `The local file store's upload target: the file's raw bytes, at most the size declared (${MAX_UPLOAD_BYTES.image / 1024 / 1024} MB for a picture, ${MAX_UPLOAD_BYTES.audio / 1024 / 1024} MB for a recording); 409 upload_not_ready once the upload is complete`,
    params: UploadParams,
    responseKind: "empty",
    status: 204,
    handler: async ({ visitor, params, event }) => {
      await putUploadContent(deps, visitor, params.uploadId, event);
      return null;
    },
  });

  router.add({
    ...common,
    errors: [
      ...common.errors,
      "upload_incomplete",
      "media_mismatch",
      "unsupported_media",
      "image_too_large",
      "recording_empty",
      "recording_too_long",
      "payload_too_large",
    ],
    method: "POST",
    path: "/v1/uploads/:uploadId/complete",
    summary:
      "Check the uploaded bytes: the type sniffed (it must be what was declared), a picture's size read from its header (at most 8,000 px a side and 40 megapixels), a recording's duration from its container (0.3 to 60 s); a refused upload is deleted. Answers the ready upload with a signed link (15 minutes)",
    params: UploadParams,
    response: UploadResponse,
    handler: async ({ visitor, params }) => ({ upload: await completeUpload(deps, visitor, params.uploadId) }),
  });

  router.add({
    tag: "widget",
    auth: "none",
    errors: ["not_found"],
    method: "GET",
    path: "/v1/media/:mediaId",
    summary:
      "A visitor's picture or recording through the signed link MediaView.url gives (local file store): the signature is the capability; 404 not_found once expired or altered, as for an unknown id. Served with its sniffed type, nosniff and a CSP that allows nothing",
    params: MediaParams,
    query: MediaLinkQuery,
    responseKind: "empty",
    handler: ({ params, query }) => serveMedia(deps, params.mediaId, query.e, query.s),
  });
}
