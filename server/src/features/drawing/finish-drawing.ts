import type { AppDeps } from "../../deps.js";
import type { ImageTask } from "../../llm/media-models.js";
import { IMAGE_MODEL } from "../../llm/media-models.js";
import { newId } from "../../security/ids.js";
import { insertApiCall } from "../chat/chat.repository.js";
import type { MediaRecord } from "../media/media.records.js";
import type { DrawingErrorCode } from "./drawing.messages.js";
import { settleDrawing } from "./drawing.repository.js";
import { giveImageBack } from "./image-quota.js";
import { probeImage } from "../uploads/image-probe.js";

export type FinishDeps = Pick<AppDeps, "db" | "files" | "images" | "counters" | "logger" | "now" | "config" | "keyring">;

/** How a drawing ended: stored (its row now ready), failed, or finished by someone else meanwhile. */
export type DrawingEnd = { status: "ready"; media: MediaRecord } | { status: "failed"; code: DrawingErrorCode } | { status: "taken" };

/** What is known of the task when it ends: its last poll, or that no result came in time. */
export type TaskOutcome = { task: ImageTask } | { timedOut: true; requestId: string | null };

/**
 * Finishes a pending drawing from its task's outcome (docs/media.md steps 3–4), by the instance
 * that polled it or the drawing.finish job, whichever comes first: the picture is downloaded
 * (bounded), sniffed like an upload and stored at its key, or the row fails with why. One
 * api_calls row per task, written by whoever finished it; a picture not made goes back to the
 * month's allowance.
 */
export async function finishDrawing(deps: FinishDeps, media: MediaRecord, outcome: TaskOutcome, startedAt: number): Promise<DrawingEnd> {
  const requestId = "task" in outcome ? outcome.task.requestId : outcome.requestId;
  if ("task" in outcome && outcome.task.status === "SUCCEEDED" && outcome.task.urls.length) {
    const stored = await storePicture(deps, media, outcome.task.urls[0]);
    if (stored) {
      const now = deps.now();
      const changes = {
        status: "ready" as const,
        updated_at: now,
        media_type: stored.mediaType,
        size_bytes: stored.size,
        width: stored.width,
        height: stored.height,
      };
      if (!(await settleDrawing(deps.db, media.id, changes))) return { status: "taken" };
      await recordCall(deps, media, { ok: true, requestId, startedAt, errorCode: null });
      return {
        status: "ready",
        media: {
          ...media,
          status: "ready",
          mediaType: stored.mediaType,
          sizeBytes: stored.size,
          width: stored.width,
          height: stored.height,
          updatedAt: now,
        },
      };
    }
  }
  const code: DrawingErrorCode = "timedOut" in outcome ? "image_generation_timeout" : "image_generation_failed";
  if (!(await settleDrawing(deps.db, media.id, { status: "failed", updated_at: deps.now(), error_code: code }))) return { status: "taken" };
  await giveImageBack(deps.counters, media.siteId, media.createdAt).catch(() => {});
  const upstream = "task" in outcome ? (outcome.task.code ?? outcome.task.status) : code;
  await recordCall(deps, media, { ok: false, requestId, startedAt, errorCode: upstream.slice(0, 64) });
  return { status: "failed", code };
}

/** The result's bytes checked and stored; null when they cannot be fetched or are no picture. */
async function storePicture(deps: FinishDeps, media: MediaRecord, url: string) {
  try {
    const { bytes } = await deps.images.download(url);
    // Sniffed like an upload: what is stored and served is a picture of the size it says.
    const probed = probeImage(bytes);
    await deps.files.put(media.storageKey, bytes, probed.mediaType);
    return { ...probed, size: bytes.byteLength };
  } catch (err) {
    deps.logger.info({
      msg: "drawing not downloaded",
      siteId: media.siteId,
      mediaId: media.id,
      error: err instanceof Error ? err.name : typeof err,
    });
    return null;
  }
}

async function recordCall(
  deps: FinishDeps,
  media: MediaRecord,
  call: { ok: boolean; requestId: string | null; startedAt: number; errorCode: string | null },
): Promise<void> {
  await insertApiCall(deps.db, {
    id: newId("call"),
    siteId: media.siteId,
    conversationId: media.conversationId,
    messageId: media.messageId,
    model: IMAGE_MODEL,
    attempt: 1,
    outcome: call.ok ? "ok" : "error",
    errorCode: call.errorCode,
    httpStatus: call.ok ? 200 : null,
    promptTokens: null,
    completionTokens: null,
    latencyMs: Math.max(0, deps.now() - call.startedAt),
    ttftMs: null,
    upstreamRequestId: call.requestId,
    createdAt: deps.now(),
    kind: "image",
    units: call.ok ? 1 : 0,
  }).catch((err) => deps.logger.error({ msg: "api call not stored", siteId: media.siteId, code: err?.code ?? null }));
}
