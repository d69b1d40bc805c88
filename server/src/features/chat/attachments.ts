import type { Transaction } from "kysely";
import type { AppDeps } from "../../deps.js";
import type { Database } from "../../db/schema.js";
import { AppError } from "../../errors.js";
import type { VisitorPrincipal } from "../../http/route.js";
import type { MediaRecord } from "../media/media.records.js";
import { attachMedia, findVisitorMedia } from "../media/media.repository.js";
import type { SiteRecord } from "../sites/site-record.js";
import type { MessageRecord } from "./chat.records.js";

/**
 * A visitor message's pictures (docs/media.md "Messages with pictures"): checked before anything
 * is stored or reserved, attached in the transaction that stores the message.
 */

/** The pictures of `ids`, each this visitor's and conversation's, a ready image not sent before; else the error the contract names. */
export async function checkAttachments(
  deps: Pick<AppDeps, "db">,
  site: SiteRecord,
  visitor: VisitorPrincipal,
  conversationId: string,
  ids: readonly string[],
): Promise<MediaRecord[]> {
  if (!ids.length) return [];
  if (!site.media.imageInput) throw new AppError("media_disabled", "This assistant does not take pictures.");
  const scope = { siteId: site.id, visitorId: visitor.visitorId, conversationId };
  const pictures: MediaRecord[] = [];
  for (const id of ids) {
    const media = await findVisitorMedia(deps.db, scope, id);
    if (!media) throw new AppError("not_found", "No such upload.");
    // The same id twice would be one picture sent "twice": refused like one already sent.
    const usable = media.kind === "image" && media.status === "ready" && media.messageId === null;
    if (!usable || pictures.some((p) => p.id === id)) throw new AppError("upload_not_ready");
    pictures.push(media);
  }
  return pictures;
}

/**
 * Attaches the pictures to the stored question, inside appendMessages' transaction: one taken by
 * a concurrent send meanwhile makes the whole append fail, so the message is not stored without
 * them (nor they with two messages).
 */
export function attachingTo(pictures: MediaRecord[], now: number) {
  if (!pictures.length) return undefined;
  return async (trx: Transaction<Database>, [question]: MessageRecord[]) => {
    const attached = await attachMedia(
      trx,
      pictures.map((p) => p.id),
      question.id,
      now,
    );
    if (attached !== pictures.length) throw new AppError("upload_not_ready");
  };
}

/**
 * Qwen-VL's cost of one picture: one token per 28×28 patch, capped where DashScope scales a large
 * image down, plus the vision start/end markers (docs/media.md "Tokens").
 */
export function pictureTokens(picture: Pick<MediaRecord, "width" | "height">): number {
  const pixels = (picture.width ?? 0) * (picture.height ?? 0);
  return Math.min(Math.ceil(pixels / 784), 1280) + 2;
}

export const picturesTokens = (pictures: ReadonlyArray<Pick<MediaRecord, "width" | "height">>) =>
  pictures.reduce((sum, p) => sum + pictureTokens(p), 0);
