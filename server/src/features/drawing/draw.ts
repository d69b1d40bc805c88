import type { AppDeps } from "../../deps.js";
import type { ImageTask } from "../../llm/media-models.js";
import { newId } from "../../security/ids.js";
import type { AnswerSink } from "../chat/chat.schemas.js";
import { mediaView } from "../uploads/media-links.js";
import { type MediaRecord, mediaKey } from "../media/media.records.js";
import { findMediaById, insertMedia, updateMedia } from "../media/media.repository.js";
import type { SiteRecord } from "../sites/site-record.js";
import { DRAWING_FINISH_JOB } from "./drawing-job.js";
import { DEFAULT_DRAWING_TIMINGS } from "./drawing-timings.js";
import { type DrawingErrorCode, drawingErrorMessage } from "./drawing.messages.js";
import { finishDrawing } from "./finish-drawing.js";
import { drawArguments } from "./generate-image-tool.js";
import { takeImage } from "./image-quota.js";

type Deps = Pick<AppDeps, "db" | "files" | "images" | "counters" | "logger" | "now" | "jobs" | "config" | "keyring" | "drawingTimings">;

const DAY = 86_400_000;

export interface DrawFor {
  site: SiteRecord;
  conversationId: string;
  visitorId: string;
  /** the answer the drawing belongs to (media.message_id) */
  messageId: string;
  /** the model's generate_image arguments, as it wrote them (JSON) */
  arguments: string;
  /** the site's own DashScope key; the server's when absent */
  apiKey?: string;
}

/**
 * The bot draws (docs/media.md steps 1–4): within the month's pictures, a pending `generated` row
 * and a Wanx task, polled (1 s doubling to 5 s) with `image` events on the answer's stream until
 * it is stored or fails. Answers the failure's code, null when the picture is there.
 */
export async function draw(deps: Deps, job: DrawFor, sink: AnswerSink): Promise<DrawingErrorCode | null> {
  const { site } = job;
  const language = site.bot.language;
  const mediaId = newId("media");
  const failed = (code: DrawingErrorCode) => {
    sink.send("image", { mediaId, status: "failed", code, message: drawingErrorMessage(code, language) });
    return code;
  };
  const args = drawArguments(job.arguments);
  if (!args) return failed("image_generation_failed");
  const now = deps.now();
  if (!(await takeImage(deps.counters, site.id, site.limits.monthlyImages, now))) return failed("image_limit");

  const media: MediaRecord = {
    id: mediaId,
    siteId: site.id,
    conversationId: job.conversationId,
    visitorId: job.visitorId,
    messageId: job.messageId,
    kind: "generated",
    status: "pending",
    mediaType: "image/png",
    sizeBytes: 0,
    width: null,
    height: null,
    durationMs: null,
    storageKey: mediaKey(site.id, mediaId),
    prompt: args.prompt,
    taskId: null,
    errorCode: null,
    createdAt: now,
    updatedAt: now,
    expiresAt: now + deps.config.media.retentionDays * DAY,
  };
  await insertMedia(deps.db, media);
  sink.send("image", { mediaId, status: "pending", prompt: args.prompt });

  const timings = deps.drawingTimings ?? DEFAULT_DRAWING_TIMINGS;
  const started = performance.now();
  let taskId: string;
  try {
    ({ taskId } = await deps.images.submit({ prompt: args.prompt, size: args.size, apiKey: job.apiKey }));
  } catch (err) {
    deps.logger.info({ msg: "drawing not started", siteId: site.id, error: err instanceof Error ? err.message.slice(0, 200) : typeof err });
    return ended(await finishDrawing(deps, media, { task: failedTask() }, now));
  }
  await updateMedia(deps.db, mediaId, { task_id: taskId, updated_at: deps.now() });
  // Whatever happens to this instance now, the row is finished by the job.
  await deps.jobs.enqueue(DRAWING_FINISH_JOB, { mediaId }, { siteId: site.id, runAfter: deps.now() + timings.finishAfterMs });

  let wait = timings.firstPollMs;
  let running = false;
  let lastRequestId: string | null = null;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, wait));
    wait = Math.min(wait * 2, timings.maxPollMs);
    let task: ImageTask | null = null;
    try {
      task = await deps.images.poll(taskId, { apiKey: job.apiKey });
      lastRequestId = task.requestId ?? lastRequestId;
    } catch (err) {
      // A poll that failed is tried again on the next turn, until the timeout.
      deps.logger.info({ msg: "drawing not polled", siteId: site.id, error: err instanceof Error ? err.name : typeof err });
    }
    if (task?.status === "RUNNING" && !running) {
      running = true;
      sink.send("image", { mediaId, status: "running" });
    }
    if (task && task.status !== "PENDING" && task.status !== "RUNNING") return ended(await finishDrawing(deps, media, { task }, now));
    if (performance.now() - started >= timings.timeoutMs) {
      return ended(await finishDrawing(deps, media, { timedOut: true, requestId: lastRequestId }, now));
    }
  }

  async function ended(end: Awaited<ReturnType<typeof finishDrawing>>): Promise<DrawingErrorCode | null> {
    // "taken": the job finished it first (this instance was frozen past it): the row says how.
    if (end.status === "taken") {
      const row = await findMediaById(deps.db, mediaId);
      end = row?.status === "ready" ? { status: "ready", media: row } : { status: "failed", code: errorCodeOf(row?.errorCode) };
    }
    if (end.status === "ready") {
      const view = await mediaView(deps, end.media);
      sink.send("image", {
        mediaId,
        status: "ready",
        url: view.url ?? undefined,
        width: view.width ?? undefined,
        height: view.height ?? undefined,
      });
      return null;
    }
    return failed(end.code);
  }
}

const CODES: readonly DrawingErrorCode[] = ["image_limit", "image_generation_failed", "image_generation_timeout"];
/** A failed row's stored code as one the visitor is told about. */
const errorCodeOf = (code: string | null | undefined): DrawingErrorCode =>
  CODES.includes(code as DrawingErrorCode) ? (code as DrawingErrorCode) : "image_generation_failed";

const failedTask = (): ImageTask => ({ status: "FAILED", urls: [], code: "submit_failed", message: null, requestId: null });
