import type { AppDeps } from "../../deps.js";
import type { MediaView } from "../media/media.schemas.js";
import { mediaViews } from "../uploads/media-links.js";

/** What signing media links needs (features/uploads/media-links.ts). */
export type MediaLinkDeps = Pick<AppDeps, "db" | "config" | "files" | "keyring" | "now">;

/**
 * Each message's attachments as the widget and the transcript show them (docs/media.md): a
 * visitor's pictures, an answer's drawings, with fresh signed links; one query for the page.
 */
export function attachmentsOf(deps: MediaLinkDeps, messages: ReadonlyArray<{ id: string }>): Promise<Map<string, MediaView[]>> {
  return mediaViews(
    deps,
    messages.map((m) => m.id),
  );
}
