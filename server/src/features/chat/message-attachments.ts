import type { MediaView } from "../media/media.schemas.js";
import { mediaOfMessages } from "../media/media.repository.js";
import { type MediaLinkDeps, mediaView } from "./media-access.js";

/**
 * Each message's attachments as the widget and the transcript show them (docs/media.md): a
 * visitor's pictures, an answer's drawings, with fresh signed links; one query for the page.
 */
export async function attachmentsOf(deps: MediaLinkDeps, messages: ReadonlyArray<{ id: string }>): Promise<Map<string, MediaView[]>> {
  const byMessage = new Map<string, MediaView[]>();
  const media = await mediaOfMessages(
    deps.db,
    messages.map((m) => m.id),
  );
  for (const m of media) {
    if (!m.messageId) continue;
    const views = byMessage.get(m.messageId) ?? [];
    views.push(mediaView(deps, m));
    byMessage.set(m.messageId, views);
  }
  return byMessage;
}
