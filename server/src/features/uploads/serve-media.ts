import type { AppDeps } from "../../deps.js";
import { AppError } from "../../errors.js";
import { findMediaById } from "../media/media.repository.js";
import { MEDIA_LINK_SECONDS, verifyMediaLink } from "./media-links.js";

/**
 * GET /v1/media/:id?e=&s=: the signature is the capability (an <img> sends no token). Served with
 * the sniffed type and no room for the browser to treat it as anything else: nosniff, and a CSP
 * that lets nothing run should it be opened as a page.
 */
export async function serveMedia(
  deps: Pick<AppDeps, "db" | "files" | "keyring" | "now">,
  mediaId: string,
  e: string | undefined,
  s: string | undefined,
): Promise<Response> {
  // One answer for a link that is altered, expired or names nothing: no way to learn which ids exist.
  const gone = () => new AppError("not_found", "This link is not valid or has expired.");
  if (e === undefined || s === undefined || !verifyMediaLink(deps, mediaId, e, s)) throw gone();
  const media = await findMediaById(deps.db, mediaId);
  const bytes = media?.status === "ready" ? await deps.files.get(media.storageKey) : null;
  if (!media || !bytes) throw gone();
  return new Response(bytes as Uint8Array<ArrayBuffer>, {
    status: 200,
    headers: {
      "content-type": media.mediaType,
      "content-length": String(bytes.length),
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'",
      "cache-control": `private, max-age=${MEDIA_LINK_SECONDS}`,
      // The widget shows it on the site's own pages.
      "cross-origin-resource-policy": "cross-origin",
    },
  });
}
