import type { AppDeps } from "../../deps.js";
import { deleteMedia, expiredMedia } from "../media/media.repository.js";

/** Rows (and files) deleted per batch: one DeleteObject each, so a big backlog is cleared over several rounds without holding a long query. */
const BATCH = 200;
/** At most this many batches a run; the next hourly run takes the rest. */
const MAX_BATCHES = 50;

/**
 * Deletes media whose time is up (docs/media.md "Records": retention, or an upload never
 * completed after an hour): the file first, then the row, so a failure leaves the row to try again.
 * Answers how many rows went.
 */
export async function pruneExpiredMedia(deps: Pick<AppDeps, "db" | "files">, now: number): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const batch = await expiredMedia(deps.db, now, BATCH);
    if (!batch.length) break;
    for (const media of batch) await deps.files.remove(media.storageKey);
    await deleteMedia(
      deps.db,
      batch.map((m) => m.id),
    );
    deleted += batch.length;
    if (batch.length < BATCH) break;
  }
  return deleted;
}
