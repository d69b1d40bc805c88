// Qwen-VL in the fake (platform-next.md §4a): pictures as `image_url` parts, fetched like DashScope
// fetches them, and described by their header so a test can see which picture reached the model.
import { errorSpec, type ErrorSpec } from "./protocol.js";
import { type PictureInfo, probePicture } from "./media-bytes.js";

/** How long the fake waits for a picture (DashScope's own limit is not published). */
const FETCH_TIMEOUT_MS = 5000;
const MAX_PICTURE_BYTES = 20 * 1024 * 1024;

// DashScope's wording for a picture it cannot fetch (seen in compatible mode, dashscope.md §3.2).
const DOWNLOAD_FAILED =
  "<400> InternalError.Algo.InvalidParameter: Download the media resource timed out during the data inspection process.";
const UNREADABLE = "<400> InternalError.Algo.InvalidParameter: The image format is illegal and cannot be opened";

// any: request bodies are the clients' JSON, unchecked (see types.ts).
/** Every `image_url` part's URL in the request's messages, in order. */
export function imageUrls(body: any): string[] {
  const messages: any[] = Array.isArray(body?.messages) ? body.messages : [];
  return messages.flatMap((m) =>
    Array.isArray(m?.content)
      ? m.content.filter((p: any) => p?.type === "image_url").map((p: any) => String(p?.image_url?.url ?? p?.image_url ?? ""))
      : [],
  );
}

/** Each picture fetched and probed, or the 400 DashScope answers for the first it cannot use. */
export async function fetchPictures(urls: string[], failDownload: boolean): Promise<{ pictures: PictureInfo[] } | { error: ErrorSpec }> {
  const bad = (message: string) => ({ error: errorSpec(400, "invalid_parameter_error", message, "invalid_request_error") });
  if (failDownload) return bad(DOWNLOAD_FAILED);
  const pictures: PictureInfo[] = [];
  for (const url of urls) {
    const bytes = await load(url);
    if (!bytes) return bad(DOWNLOAD_FAILED);
    const info = probePicture(bytes);
    if (!info) return bad(UNREADABLE);
    pictures.push(info);
  }
  return { pictures };
}

async function load(url: string): Promise<Buffer | null> {
  const data = /^data:([^;,]+)?(;base64)?,(.*)$/s.exec(url);
  if (data) return data[2] ? Buffer.from(data[3]!, "base64") : Buffer.from(decodeURIComponent(data[3]!), "latin1");
  if (!/^https?:\/\//i.test(url)) return null;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!response.ok) return null;
    const bytes = Buffer.from(await response.arrayBuffer());
    return bytes.length <= MAX_PICTURE_BYTES ? bytes : null;
  } catch {
    return null;
  }
}

/** Qwen-VL's tokens for a picture: 28×28 patches, capped as large pictures are scaled down (docs/media.md). */
export const pictureTokens = (p: PictureInfo) => Math.min(Math.ceil((p.width * p.height) / 784), 1280) + 2;

/** What the fake "sees": one sentence a picture, before the usual canned answer. */
export const describePictures = (pictures: PictureInfo[]) =>
  pictures.map((p) => `I see a picture of ${p.width}×${p.height} pixels (${p.format}).`).join(" ");
