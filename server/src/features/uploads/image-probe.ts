import { AppError } from "../../errors.js";

/** The pictures visitors may send (docs/media.md "Uploads"). */
export const IMAGE_TYPES = ["image/jpeg", "image/png", "image/webp"] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];

/** At most this many pixels a side and in all: a bigger header is an image bomb and never reaches a decoder. */
export const MAX_IMAGE_SIDE = 8000;
export const MAX_IMAGE_PIXELS = 40_000_000;

/** Pictures we recognise only to refuse clearly (HEIC: the widget converts it where the browser can). */
const REFUSED_BRANDS = new Set(["heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1", "avif", "avis"]);

const ascii = (b: Uint8Array, at: number, n: number) => (b.length >= at + n ? String.fromCharCode(...b.subarray(at, at + n)) : "");
const u16be = (b: Uint8Array, at: number) => (b[at] << 8) | b[at + 1];
const u32be = (b: Uint8Array, at: number) => ((b[at] << 24) >>> 0) + (b[at + 1] << 16) + (b[at + 2] << 8) + b[at + 3];
const u16le = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8);
const u24le = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8) | (b[at + 2] << 16);

/**
 * What picture the bytes are by their magic numbers: one we take, one we know and refuse
 * (image/heic, image/gif, …), or null for anything else.
 */
export function sniffImage(b: Uint8Array): string | null {
  if (b.length >= 8 && ascii(b, 1, 3) === "PNG" && b[0] === 0x89 && u32be(b, 4) === 0x0d0a1a0a) return "image/png";
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "image/jpeg";
  if (ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 4) === "WEBP") return "image/webp";
  if (ascii(b, 4, 4) === "ftyp" && REFUSED_BRANDS.has(ascii(b, 8, 4)))
    return ascii(b, 8, 4).startsWith("avi") ? "image/avif" : "image/heic";
  if (ascii(b, 0, 6) === "GIF87a" || ascii(b, 0, 6) === "GIF89a") return "image/gif";
  if (ascii(b, 0, 2) === "BM") return "image/bmp";
  if (ascii(b, 0, 4) === "II*\0" || ascii(b, 0, 4) === "MM\0*") return "image/tiff";
  return null;
}

export interface ImageFacts {
  mediaType: ImageType;
  width: number;
  height: number;
}

const damaged = () => new AppError("media_mismatch", "The picture's header cannot be read: the file is damaged or not a picture.");

/**
 * The picture's type and size from its header alone (no decoding). Throws media_mismatch for a
 * header that cannot be read, image_too_large past the bounds, unsupported_media for a type we refuse.
 */
export function probeImage(b: Uint8Array): ImageFacts {
  const type = sniffImage(b);
  if (type === "image/heic" || type === "image/avif") {
    throw new AppError("unsupported_media", "HEIC and AVIF pictures are not accepted: send a JPEG, PNG or WebP (a JPEG is best).");
  }
  if (type !== "image/png" && type !== "image/jpeg" && type !== "image/webp") {
    throw type ? new AppError("unsupported_media") : new AppError("media_mismatch", "The file is not a JPEG, PNG or WebP picture.");
  }
  const size = type === "image/png" ? pngSize(b) : type === "image/jpeg" ? jpegSize(b) : webpSize(b);
  if (!size || size.width < 1 || size.height < 1) throw damaged();
  if (size.width > MAX_IMAGE_SIDE || size.height > MAX_IMAGE_SIDE || size.width * size.height > MAX_IMAGE_PIXELS) {
    throw new AppError("image_too_large");
  }
  return { mediaType: type, ...size };
}

type Size = { width: number; height: number } | null;

function pngSize(b: Uint8Array): Size {
  // The first chunk must be IHDR (PNG spec §5.6): length 13, width and height big-endian.
  if (b.length < 24 || ascii(b, 12, 4) !== "IHDR" || u32be(b, 8) !== 13) return null;
  return { width: u32be(b, 16), height: u32be(b, 20) };
}

/** Walks the markers to the first SOFn frame header; every step moves forward, so hostile lengths end the walk. */
function jpegSize(b: Uint8Array): Size {
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return null;
    const marker = b[at + 1];
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    // Markers without a length: TEM, RSTn, SOI.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      at += 2;
      continue;
    }
    // End of image or start of scan before any frame header: no size to read.
    if (marker === 0xd9 || marker === 0xda) return null;
    const length = u16be(b, at + 2);
    if (length < 2) return null;
    // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (at + 9 > b.length) return null;
      return { height: u16be(b, at + 5), width: u16be(b, at + 7) };
    }
    at += 2 + length;
  }
  return null;
}

function webpSize(b: Uint8Array): Size {
  const chunk = ascii(b, 12, 4);
  if (chunk === "VP8 ") {
    // Lossy: a key frame's start code 9d 01 2a, then 14-bit width and height (RFC 6386 §9.1).
    if (b.length < 30 || b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return null;
    return { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
  }
  if (chunk === "VP8L") {
    // Lossless: signature 0x2f, then width-1 and height-1 in 14 bits each (RFC 9649 §3.2.1).
    if (b.length < 25 || b[20] !== 0x2f) return null;
    const bits = b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === "VP8X") {
    // Extended: the canvas's width-1 and height-1 in 24 bits each.
    if (b.length < 30) return null;
    return { width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
  }
  return null;
}
