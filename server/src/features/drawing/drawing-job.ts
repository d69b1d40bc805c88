import type { AppDeps } from "../../deps.js";
import type { JobHandler } from "../../jobs/job-queue.js";
import { findMediaById } from "../media/media.repository.js";
import { siteById } from "../sites/sites.cache.js";
import { siteApiKey } from "../sites/sites.service.js";
import { finishDrawing } from "./finish-drawing.js";

/** Queued with each Wanx task; runs after the live poller would have given up (docs/media.md). */
export const DRAWING_FINISH_JOB = "drawing.finish";

type Deps = Pick<AppDeps, "db" | "files" | "images" | "counters" | "logger" | "now" | "storage" | "keyring" | "config">;

/**
 * Finishes a drawing an instance left pending (it died or froze while it polled): one more poll,
 * then the picture is stored, or the row fails (as timed out when the task is still going).
 * A row already finished is left alone.
 */
export function drawingFinishHandler(deps: Deps): JobHandler<{ mediaId: string }> {
  return async (job) => {
    const media = await findMediaById(deps.db, job.payload.mediaId);
    if (!media || media.status !== "pending" || media.kind !== "generated") return { done: true };
    const site = await siteById(deps, media.siteId);
    const key = site ? siteApiKey(deps.keyring, site) : { usable: false as const };
    const task = media.taskId && key.usable ? await deps.images.poll(media.taskId, { apiKey: key.key }) : null;
    const outcome =
      task && task.status !== "PENDING" && task.status !== "RUNNING"
        ? { task }
        : { timedOut: true as const, requestId: task?.requestId ?? null };
    const end = await finishDrawing(deps, media, outcome, media.createdAt);
    deps.logger.info({ msg: "drawing finished by job", siteId: media.siteId, mediaId: media.id, status: end.status });
    return { done: true };
  };
}
