import type { H3Event } from "h3";
import { AppError } from "../errors.js";

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
/** Deeper JSON than this is refused before validation: nothing we accept nests past a few levels. */
const MAX_JSON_DEPTH = 16;

/** Reads at most `limit` bytes, so a huge body is refused while it streams in, not after. */
export async function readJsonBody(event: H3Event, limit = DEFAULT_MAX_BODY_BYTES): Promise<unknown> {
  const declared = Number(event.req.headers.get("content-length") ?? "0");
  if (declared > limit) throw new AppError("payload_too_large", `The request body is larger than ${limit} bytes.`);
  if (!isJsonMediaType(event.req.headers.get("content-type") ?? "")) throw new AppError("unsupported_media_type");
  const text = await readBodyText(event, limit);
  if (!text.trim()) throw new AppError("invalid_json", "The request body is empty.");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError("invalid_json");
  }
  if (depthOf(value) > MAX_JSON_DEPTH) throw new AppError("invalid_body", "The request body nests too deeply.");
  return value;
}

/** The body as text, whatever its media type (Function Compute's events come as octet-stream), at most `limit` bytes. */
export async function readBodyText(event: H3Event, limit = DEFAULT_MAX_BODY_BYTES): Promise<string> {
  return new TextDecoder("utf-8", { fatal: false }).decode(await readBodyBytes(event, limit));
}

/**
 * The body's bytes, refused with 413 payload_too_large (`tooLarge` its message) as soon as it
 * declares or streams past `limit`: a huge body is never held.
 */
export async function readBodyBytes(
  event: H3Event,
  limit = DEFAULT_MAX_BODY_BYTES,
  tooLarge = `The request body is larger than ${limit} bytes.`,
): Promise<Buffer<ArrayBuffer>> {
  const declared = Number(event.req.headers.get("content-length") ?? "0");
  if (declared > limit) throw new AppError("payload_too_large", tooLarge);
  const body = event.req.body;
  if (!body) return Buffer.alloc(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new AppError("payload_too_large", tooLarge);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** A multipart/form-data request (an upload), by its media type. */
export function isMultipart(event: H3Event): boolean {
  return (event.req.headers.get("content-type") ?? "").split(";", 1)[0].trim().toLowerCase() === "multipart/form-data";
}

/**
 * `application/json` or `application/<anything>+json`, by the media type alone (before any `;`
 * parameter). A test anywhere in the header let `text/plain; x=+json` and
 * `multipart/form-data; boundary=+json` through: a page can send both across origins without a
 * preflight.
 */
export function isJsonMediaType(contentType: string): boolean {
  const mediaType = contentType.split(";", 1)[0].trim().toLowerCase();
  return mediaType === "application/json" || /^application\/[a-z0-9!#$&^_.-]+\+json$/.test(mediaType);
}

function depthOf(value: unknown): number {
  // Iterative, so a hostile 100k-deep array cannot overflow the stack.
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (d > max) max = d;
    if (max > MAX_JSON_DEPTH) return max;
    for (const child of Object.values(v as object)) stack.push([child, d + 1]);
  }
  return max;
}
