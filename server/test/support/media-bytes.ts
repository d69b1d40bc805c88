import { deflateSync } from "node:zlib";

/**
 * Small but real media files, built byte by byte from their specifications, for the upload
 * checks: a PNG a decoder opens (zlib-compressed scanlines, CRCs), JPEG and WebP headers, and the
 * containers MediaRecorder makes (WebM with unknown-size Segment and Clusters, Ogg Opus, MP4), and WAV.
 */

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const u32be = (n: number) => Buffer.from([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
const u16le = (n: number) => Buffer.from([n & 0xff, (n >>> 8) & 0xff]);
const u32le = (n: number) => Buffer.from([n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff]);

function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  return Buffer.concat([u32be(data.length), body, u32be(crc32(body))]);
}

/** A real RGB PNG of width×height (a gradient); `pixels: false` writes only the header chunks, for a bomb's claimed size. */
export function png(width: number, height: number, options: { pixels?: boolean } = {}): Buffer {
  const ihdr = Buffer.concat([u32be(width), u32be(height), Buffer.from([8, 2, 0, 0, 0])]);
  const chunks = [pngChunk("IHDR", ihdr)];
  if (options.pixels !== false) {
    const rows: Buffer[] = [];
    for (let y = 0; y < height; y++) {
      const row = Buffer.alloc(1 + width * 3);
      for (let x = 0; x < width; x++) row.set([x & 0xff, y & 0xff, 128], 1 + x * 3);
      rows.push(row);
    }
    chunks.push(pngChunk("IDAT", deflateSync(Buffer.concat(rows))));
  } else {
    // What a bomb carries: a little zlib that would inflate into the claimed gigapixels.
    chunks.push(pngChunk("IDAT", deflateSync(Buffer.alloc(1024))));
  }
  chunks.push(pngChunk("IEND", Buffer.alloc(0)));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ...chunks]);
}

const segment = (marker: number, data: Buffer) =>
  Buffer.concat([Buffer.from([0xff, marker]), Buffer.from([(data.length + 2) >> 8, (data.length + 2) & 0xff]), data]);

/** A baseline JPEG's markers up to the scan: SOI, APP0 (JFIF), DQT, SOF0 with the size, DHT, SOS, a few scan bytes, EOI. */
export function jpeg(width: number, height: number, sof = 0xc0): Buffer {
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, Buffer.from([0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0])),
    segment(0xdb, Buffer.concat([Buffer.from([0]), Buffer.alloc(64, 1)])),
    // fill bytes before a marker are allowed (T.81 B.1.1.2)
    Buffer.from([0xff]),
    segment(sof, Buffer.from([8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0])),
    segment(0xc4, Buffer.concat([Buffer.from([0]), Buffer.alloc(16, 0), Buffer.alloc(0)])),
    segment(0xda, Buffer.from([1, 1, 0, 0, 0x3f, 0])),
    Buffer.from([0x12, 0x34, 0x56, 0xff, 0xd9]),
  ]);
}

const riff = (form: string, chunks: Buffer[]) => {
  const body = Buffer.concat([Buffer.from(form, "latin1"), ...chunks]);
  return Buffer.concat([Buffer.from("RIFF", "latin1"), u32le(body.length), body]);
};
const riffChunk = (id: string, data: Buffer) =>
  Buffer.concat([Buffer.from(id, "latin1"), u32le(data.length), data, data.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);

/** A WebP of each flavour's header: lossy (VP8), lossless (VP8L) or extended (VP8X). */
export function webp(width: number, height: number, flavour: "VP8 " | "VP8L" | "VP8X" = "VP8 "): Buffer {
  if (flavour === "VP8 ") {
    const frame = Buffer.concat([Buffer.from([0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a]), u16le(width), u16le(height), Buffer.alloc(10)]);
    return riff("WEBP", [riffChunk("VP8 ", frame)]);
  }
  if (flavour === "VP8L") {
    const bits = ((width - 1) & 0x3fff) | (((height - 1) & 0x3fff) << 14);
    return riff("WEBP", [riffChunk("VP8L", Buffer.concat([Buffer.from([0x2f]), u32le(bits >>> 0), Buffer.alloc(8)]))]);
  }
  const u24 = (n: number) => Buffer.from([n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff]);
  return riff("WEBP", [riffChunk("VP8X", Buffer.concat([Buffer.from([0x10, 0, 0, 0]), u24(width - 1), u24(height - 1)]))]);
}

/** The start of an iPhone photo: an ftyp box with the heic brand. */
export const heic = () =>
  Buffer.concat([u32be(24), Buffer.from("ftypheic", "latin1"), u32be(0), Buffer.from("mif1heic", "latin1"), Buffer.alloc(64)]);
export const gif = () => Buffer.concat([Buffer.from("GIF89a", "latin1"), u16le(10), u16le(10), Buffer.alloc(16)]);

/** 16 kHz mono 16-bit PCM of `ms` milliseconds (silence, or a tone). */
export function wav(ms: number, options: { tone?: boolean; dataSize?: number } = {}): Buffer {
  const samples = Math.round((16_000 * ms) / 1000);
  const data = Buffer.alloc(samples * 2);
  if (options.tone)
    for (let i = 0; i < samples; i++) data.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 16_000)), i * 2);
  const fmt = Buffer.concat([u16le(1), u16le(1), u32le(16_000), u32le(32_000), u16le(2), u16le(16)]);
  const dataChunk = Buffer.concat([Buffer.from("data", "latin1"), u32le(options.dataSize ?? data.length), data]);
  return riff("WAVE", [riffChunk("fmt ", fmt), dataChunk]);
}

// EBML: an element is its id's bytes, a size vint, the data.
const ebmlSize = (n: number) => {
  if (n < 0x7f) return Buffer.from([0x80 | n]);
  if (n < 0x3fff) return Buffer.from([0x40 | (n >> 8), n & 0xff]);
  return Buffer.concat([Buffer.from([0x10]), Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff])]);
};
const ebmlId = (id: number) =>
  Buffer.from(
    id
      .toString(16)
      .match(/../g)!
      .map((h) => parseInt(h, 16)),
  );
const el = (id: number, data: Buffer) => Buffer.concat([ebmlId(id), ebmlSize(data.length), data]);
const uint = (n: number) => {
  const out: number[] = [];
  do {
    out.unshift(n & 0xff);
    n = Math.floor(n / 256);
  } while (n > 0);
  return Buffer.from(out);
};
/** The size "unknown": a live stream's, as MediaRecorder writes its Segment (8 bytes) and Clusters (1 byte). */
const UNKNOWN_8 = Buffer.from([0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

/**
 * A WebM as Chrome's MediaRecorder writes it: no Duration, Segment and Clusters of unknown size,
 * 20 ms Opus frames as SimpleBlocks, a new Cluster every `clusterMs`. `blockGroups`: the last
 * frame in a BlockGroup with a BlockDuration instead.
 */
export function webm(ms: number, options: { clusterMs?: number; timecodeScale?: number; blockGroups?: boolean } = {}): Buffer {
  const scale = options.timecodeScale ?? 1_000_000;
  const unit = scale / 1_000_000; // ms per tick
  const clusterMs = options.clusterMs ?? 5000;
  const parts: Buffer[] = [
    el(
      0x1a45dfa3,
      Buffer.concat([el(0x4286, uint(1)), el(0x42f7, uint(1)), el(0x4282, Buffer.from("webm")), el(0x4287, uint(4)), el(0x4285, uint(2))]),
    ),
    ebmlId(0x18538067),
    UNKNOWN_8,
    el(0x1549a966, Buffer.concat([el(0x2ad7b1, uint(scale)), el(0x4d80, Buffer.from("Chrome")), el(0x5741, Buffer.from("Chrome"))])),
    el(0x1654ae6b, el(0xae, Buffer.concat([el(0xd7, uint(1)), el(0x73c5, uint(1)), el(0x86, Buffer.from("A_OPUS")), el(0x83, uint(2))]))),
  ];
  const frame = Buffer.alloc(40, 0xfc);
  for (let start = 0; start < ms; start += clusterMs) {
    parts.push(ebmlId(0x1f43b675), Buffer.from([0xff]), el(0xe7, uint(Math.round(start / unit))));
    for (let t = start; t < Math.min(ms, start + clusterMs); t += 20) {
      const rel = Math.round((t - start) / unit);
      const block = Buffer.concat([Buffer.from([0x81, (rel >> 8) & 0xff, rel & 0xff, 0x80]), frame]);
      const last = t + 20 >= ms;
      if (last && options.blockGroups) parts.push(el(0xa0, Buffer.concat([el(0xa1, block), el(0x9b, uint(Math.round(20 / unit)))])));
      else parts.push(el(0xa3, block));
    }
  }
  return Buffer.concat(parts);
}

function oggPage(granule: bigint, sequence: number, payload: Buffer, headerType = 0): Buffer {
  const lacing: number[] = [];
  let left = payload.length;
  while (left >= 255) {
    lacing.push(255);
    left -= 255;
  }
  lacing.push(left);
  const header = Buffer.alloc(27);
  header.write("OggS", 0, "latin1");
  header[5] = headerType;
  header.writeBigInt64LE(granule, 6);
  header.writeUInt32LE(0x1234, 14);
  header.writeUInt32LE(sequence, 18);
  header[26] = lacing.length;
  return Buffer.concat([header, Buffer.from(lacing), payload]);
}

/** Ogg Opus as Firefox records it: OpusHead, OpusTags, then audio pages with 48 kHz granule positions. */
export function oggOpus(ms: number): Buffer {
  const preSkip = 312;
  const head = Buffer.concat([
    Buffer.from("OpusHead", "latin1"),
    Buffer.from([1, 1]),
    u16le(preSkip),
    u32le(48_000),
    u16le(0),
    Buffer.from([0]),
  ]);
  const pages = [oggPage(0n, 0, head, 2), oggPage(0n, 1, Buffer.concat([Buffer.from("OpusTags", "latin1"), u32le(0), u32le(0)]))];
  let seq = 2;
  for (let t = 1000; t < ms + 1000; t += 1000) {
    const end = Math.min(t, ms);
    pages.push(oggPage(BigInt(preSkip + end * 48), seq++, Buffer.alloc(200, 0xfc), end === ms ? 4 : 0));
  }
  return Buffer.concat(pages);
}

const box = (type: string, ...data: Buffer[]) => {
  const body = Buffer.concat(data);
  return Buffer.concat([u32be(8 + body.length), Buffer.from(type, "latin1"), body]);
};

/** An M4A as Safari's MediaRecorder writes it: ftyp, then moov/mvhd with the duration (version 0 or 1), then mdat. */
export function mp4(ms: number, version: 0 | 1 = 0): Buffer {
  const timescale = 44_100;
  const duration = Math.round((ms / 1000) * timescale);
  const mvhd =
    version === 0
      ? Buffer.concat([Buffer.from([0, 0, 0, 0]), u32be(0), u32be(0), u32be(timescale), u32be(duration), Buffer.alloc(80)])
      : Buffer.concat([Buffer.from([1, 0, 0, 0]), Buffer.alloc(16), u32be(timescale), u32be(0), u32be(duration), Buffer.alloc(80)]);
  return Buffer.concat([
    box("ftyp", Buffer.from("M4A ", "latin1"), u32be(0), Buffer.from("M4A isommp42", "latin1")),
    box("moov", box("mvhd", mvhd), box("trak", Buffer.alloc(16))),
    box("mdat", Buffer.alloc(256, 0x21)),
  ]);
}
