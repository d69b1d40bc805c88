import type { Db } from "../../db/database.js";
import type { MediaTable } from "../../db/schema.js";

/**
 * A drawing's last write, only while it is still pending: the instance that polls it and the
 * drawing.finish job may both finish it, and only the first one writes (and records the call).
 */
export async function settleDrawing(
  db: Db,
  mediaId: string,
  changes: Pick<MediaTable, "status" | "updated_at"> &
    Partial<Pick<MediaTable, "media_type" | "size_bytes" | "width" | "height" | "error_code">>,
): Promise<boolean> {
  const result = await db
    .updateTable("media")
    .set(changes)
    .where("id", "=", mediaId)
    .where("kind", "=", "generated")
    .where("status", "=", "pending")
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
