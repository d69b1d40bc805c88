// Real media the fake makes and reads: silent MP3 frames (TTS), PNG pictures (Wanx), and the
// type and size of a picture it was sent (VL) — small enough to write here, so the fake needs no codec.
import { deflateSync } from "node:zlib";

// ---------------------------------------------------------------- MP3

/** MPEG audio frame headers for mono 32 kbps Layer III, by sample rate: MPEG-1 for 32/44.1/48 kHz, MPEG-2 (LSF) below. */
const MP3: Record<number, { header: [number, number, number, number]; frameBytes: number }> = {
  // 0xFFF sync, version, layer III, no CRC | bitrate index, rate index | mono, original
  44100: { header: [0xff, 0xfb, 0x10, 0xc4], frameBytes: 104 },
  48000: { header: [0xff, 0xfb, 0x14, 0xc4], frameBytes: 96 },
  32000: { header: [0xff, 0xfb, 0x18, 0xc4], frameBytes: 144 },
  22050: { header: [0xff, 0xf3, 0x40, 0xc4], frameBytes: 104 },
  24000: { header: [0xff, 0xf3, 0x44, 0xc4], frameBytes: 96 },
  16000: { header: [0xff, 0xf3, 0x48, 0xc4], frameBytes: 144 },
};

export const MP3_RATES = Object.keys(MP3).map(Number);

/**
 * `count` silent frames: a header and all-zero side info (main_data_begin 0, no granule data), which
 * decoders (Chromium's among them) play as silence. 32 kbps: each frame is about 26 ms.
 */
export function silentMp3(count: number, sampleRate = 22050): Buffer {
  const spec = MP3[sampleRate] ?? MP3[22050]!;
  // The rest of the frame (side info and main data) stays zero.
  const frame = Buffer.alloc(spec.frameBytes);
  frame.set(spec.header, 0);
  return Buffer.concat(Array.from({ length: count }, () => frame));
}

export const mp3FrameBytes = (sampleRate = 22050) => (MP3[sampleRate] ?? MP3[22050]!).frameBytes;

// ---------------------------------------------------------------- PNG

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "ascii");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A real PNG (8-bit RGB, zlib-compressed rows): a vertical gradient of `rgb`, so it is not a blank square. */
export function fakePng(width: number, height: number, rgb: [number, number, number] = [64, 128, 192]): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const row = 1 + width * 3;
  const raw = Buffer.alloc(row * height);
  for (let y = 0; y < height; y++) {
    const shade = 0.5 + (0.5 * y) / Math.max(1, height - 1);
    const pixel = rgb.map((c) => Math.round(c * shade));
    for (let x = 0; x < width; x++) raw.set(pixel, y * row + 1 + x * 3);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", deflateSync(raw)),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

// ---------------------------------------------------------------- picture probe

export interface PictureInfo {
  format: "PNG" | "JPEG" | "WebP" | "GIF";
  width: number;
  height: number;
}

/** The type and size from a picture's header, or null when it is none of PNG, JPEG, WebP, GIF. */
export function probePicture(b: Buffer): PictureInfo | null {
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47 && b.toString("ascii", 12, 16) === "IHDR") {
    return { format: "PNG", width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  }
  if (b.length >= 10 && b.toString("ascii", 0, 4) === "GIF8") return { format: "GIF", width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
  if (b.length >= 30 && b.toString("ascii", 0, 4) === "RIFF" && b.toString("ascii", 8, 12) === "WEBP") return probeWebp(b);
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) return probeJpeg(b);
  return null;
}

function probeWebp(b: Buffer): PictureInfo | null {
  const chunk = b.toString("ascii", 12, 16);
  if (chunk === "VP8X") return { format: "WebP", width: 1 + b.readUIntLE(24, 3), height: 1 + b.readUIntLE(27, 3) };
  if (chunk === "VP8L" && b[20] === 0x2f) {
    const bits = b.readUInt32LE(21);
    return { format: "WebP", width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
  }
  if (chunk === "VP8 " && b[23] === 0x9d && b[24] === 0x01 && b[25] === 0x2a) {
    return { format: "WebP", width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
  }
  return null;
}

function probeJpeg(b: Buffer): PictureInfo | null {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    // SOF0…SOF15 but DHT (C4), JPG (C8), DAC (CC) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { format: "JPEG", height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    }
    i += 2 + b.readUInt16BE(i + 2);
  }
  return null;
}

// ---------------------------------------------------------------- WAV

/** A PCM WAV's length in seconds and whether every sample is (near) silent; null when it is not one. */
export function probeWav(b: Buffer): { seconds: number; silent: boolean } | null {
  if (b.length < 12 || b.toString("ascii", 0, 4) !== "RIFF" || b.toString("ascii", 8, 12) !== "WAVE") return null;
  let byteRate = 0;
  let bits = 16;
  for (let i = 12; i + 8 <= b.length;) {
    const id = b.toString("ascii", i, i + 4);
    const size = b.readUInt32LE(i + 4);
    if (id === "fmt " && i + 24 <= b.length) {
      byteRate = b.readUInt32LE(i + 16);
      bits = b.readUInt16LE(i + 22);
    }
    if (id === "data") {
      const data = b.subarray(i + 8, Math.min(b.length, i + 8 + size));
      return { seconds: byteRate > 0 ? data.length / byteRate : 0, silent: isSilent(data, bits) };
    }
    i += 8 + size + (size % 2);
  }
  return null;
}

function isSilent(data: Buffer, bits: number): boolean {
  if (bits === 8) return data.every((s) => Math.abs(s - 128) <= 2);
  for (let i = 0; i + 1 < data.length; i += 2) if (Math.abs(data.readInt16LE(i)) > 64) return false;
  return true;
}
