import type { AppDeps } from "../../deps.js";
import type { ChatMessage } from "../../llm/chat-model.js";
import type { MediaRecord } from "../media/media.records.js";
import { mediaOfMessages } from "../media/media.repository.js";
import { modelImageUrl } from "../uploads/media-links.js";
import type { SiteRecord } from "../sites/site-record.js";
import type { MessageRecord } from "./chat.records.js";

/**
 * Pictures in what the model reads (docs/media.md "Messages with pictures"): the question's own go
 * as image_url parts; earlier turns' are not sent again (cost, and DashScope's links expire), the
 * history says "[picture]" in their place so the model knows something was shown.
 */

const PLACEHOLDER = "[picture]";

/**
 * How many pictures (sent or drawn) each of these messages has. A site with pictures and drawing
 * both off skips the query (every message's hot path): a conversation from before it turned them
 * off then reads without its "[picture]" marks, which costs the answer nothing it could use.
 */
export async function pictureCounts(
  deps: Pick<AppDeps, "db">,
  site: Pick<SiteRecord, "media">,
  messages: ReadonlyArray<Pick<MessageRecord, "id">>,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (!site.media.imageInput && !site.media.imageGeneration) return counts;
  const media = await mediaOfMessages(
    deps.db,
    messages.map((m) => m.id),
  );
  for (const m of media) if (m.messageId && m.status === "ready") counts.set(m.messageId, (counts.get(m.messageId) ?? 0) + 1);
  return counts;
}

/** An earlier turn's text with its pictures named. */
export function withPlaceholders(content: string, pictures: number): string {
  if (!pictures) return content;
  const names = Array.from({ length: pictures }, () => PLACEHOLDER).join(" ");
  return content ? `${names}\n${content}` : names;
}

/** The question's pictures as URLs the model fetches (or data: URLs it decodes). */
export async function questionImages(deps: AppDeps, pictures: readonly MediaRecord[]): Promise<ChatMessage["images"]> {
  if (!pictures.length) return undefined;
  const urls = await Promise.all(pictures.map((p) => modelImageUrl(deps, p)));
  // A picture whose bytes are gone (pruned) is not sent; the turn goes on without it.
  return urls.filter((u): u is string => u !== null);
}
