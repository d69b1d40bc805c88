import { iso } from "../../db/times.js";
import type { MediaView } from "../media/media.schemas.js";
import type { MessageRecord } from "./chat.records.js";

/**
 * A message as the visitor's widget reads it (VisitorMessage): from GET …/messages and the live
 * events. `attachments`: its pictures or drawings, already with signed links.
 */
export function toVisitorMessage(m: MessageRecord, attachments: MediaView[] = []) {
  return {
    id: m.id,
    role: m.role,
    authorName: m.author?.name ?? null,
    content: m.content,
    status: m.status,
    createdAt: iso(m.createdAt),
    sources: m.sources ?? [],
    feedback: m.feedback,
    attachments,
  };
}
