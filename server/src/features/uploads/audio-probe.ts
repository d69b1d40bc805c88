import { AppError } from "../../errors.js";

/** The recordings visitors may send (docs/media.md "Uploads"): what MediaRecorder makes in each browser, and WAV. */
export const AUDIO_TYPES = ["audio/webm", "audio/ogg", "audio/mp4", "audio/wav"] as const;
export type AudioType = (typeof AUDIO_TYPES)[number];

/** Shorter than this, or without a single audio frame, is no recording; longer than MAX is refused. */
export const MIN_RECORDING_MS = 300;
export const MAX_RECORDING_MS = 60_000;

const ascii = (b: Uint8Array, at: number, n: number) => (b.length >= at + n ? String.fromCharCode(...b.subarray(at, at + n)) : "");
const u32le = (b: Uint8Array, at: number) => (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16)) + b[at + 3] * 2 ** 24;
const u32be = (b: Uint8Array, at: number) => b[at] * 2 ** 24 + ((b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]);
const u64le = (b: Uint8Array, at: number) => u32le(b, at) + u32le(b, at + 4) * 2 ** 32;
const u64be = (b: Uint8Array, at: number) => u32be(b, at) * 2 ** 32 + u32be(b, at + 4);

/** The recording's container by its magic numbers, or null. */
export function sniffAudio(b: Uint8Array): AudioType | null {
  if (b.length >= 4 && b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) return "audio/webm";
  if (ascii(b, 0, 4) === "OggS") return "audio/ogg";
  if (ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 4) === "WAVE") return "audio/wav";
  // ISO BMFF: MediaRecorder's audio/mp4 and .m4a both start with an ftyp box (HEIC too: image-probe refuses those first).
  if (ascii(b, 4, 4) === "ftyp") return "audio/mp4";
  return null;
}

export interface AudioFacts {
  mediaType: AudioType;
  durationMs: number;
}

/**
 * The recording's container and duration, read from the container alone. Throws media_mismatch
 * when it is no recording we know, recording_empty (no frames, under 0.3 s), recording_too_long.
 */
export function probeAudio(b: Uint8Array): AudioFacts {
  const mediaType = sniffAudio(b);
  if (!mediaType) throw new AppError("media_mismatch", "The file is not a WebM, Ogg, MP4 or WAV recording.");
  const ms =
    mediaType === "audio/webm"
      ? webmDuration(b)
      : mediaType === "audio/ogg"
        ? oggDuration(b)
        : mediaType === "audio/mp4"
          ? mp4Duration(b)
          : wavDuration(b);
  if (ms === null || !Number.isFinite(ms) || ms < MIN_RECORDING_MS) throw new AppError("recording_empty");
  const durationMs = Math.round(ms);
  if (durationMs > MAX_RECORDING_MS)
    throw new AppError("recording_too_long", `The recording is longer than ${MAX_RECORDING_MS / 1000} seconds.`);
  return { mediaType, durationMs };
}

/** WAV: the data chunk's size over the fmt chunk's byte rate; a streamed WAV's lying size is bounded by the bytes there. */
function wavDuration(b: Uint8Array): number | null {
  let byteRate = 0;
  let at = 12;
  while (at + 8 <= b.length) {
    const id = ascii(b, at, 4);
    const size = u32le(b, at + 4);
    if (id === "fmt " && at + 20 <= b.length) byteRate = u32le(b, at + 16);
    if (id === "data") {
      if (!byteRate) return null;
      const data = Math.min(size, b.length - at - 8);
      return (data / byteRate) * 1000;
    }
    at += 8 + size + (size % 2);
  }
  return null;
}

/** Ogg: the last page's granule position (opus: 48 kHz less the pre-skip; vorbis: its sample rate). */
function oggDuration(b: Uint8Array): number | null {
  // The first page holds the codec's identification header.
  const segments = b.length > 26 ? b[26] : 0;
  const head = 27 + segments;
  let rate: number;
  let preSkip = 0;
  if (ascii(b, head, 8) === "OpusHead" && head + 12 <= b.length) {
    rate = 48_000;
    preSkip = b[head + 10] | (b[head + 11] << 8);
  } else if (b[head] === 1 && ascii(b, head + 1, 6) === "vorbis" && head + 16 <= b.length) {
    rate = u32le(b, head + 12);
  } else return null;
  if (!rate) return null;
  // Backwards to the last page with a granule position (-1 means no packet ends on that page).
  for (let at = b.length - 27; at > 0; at--) {
    if (b[at] !== 0x4f || ascii(b, at, 4) !== "OggS" || b[at + 4] !== 0) continue;
    if (u32le(b, at + 6) === 0xffffffff && u32le(b, at + 10) === 0xffffffff) continue;
    const granule = u64le(b, at + 6);
    return (Math.max(0, granule - preSkip) / rate) * 1000;
  }
  return null;
}

/** MP4: moov/mvhd's duration over its timescale. */
function mp4Duration(b: Uint8Array): number | null {
  const moov = findBox(b, 0, b.length, "moov");
  if (!moov) return null;
  const mvhd = findBox(b, moov.start, moov.end, "mvhd");
  if (!mvhd) return null;
  const at = mvhd.start;
  const version = b[at];
  if (version === 1) {
    if (at + 32 > mvhd.end) return null;
    const scale = u32be(b, at + 20);
    return scale ? (u64be(b, at + 24) / scale) * 1000 : null;
  }
  if (at + 20 > mvhd.end) return null;
  const scale = u32be(b, at + 12);
  return scale ? (u32be(b, at + 16) / scale) * 1000 : null;
}

/** The first box of `type` among the boxes between start and end: its payload's bounds, clamped to the parent's. */
function findBox(b: Uint8Array, start: number, end: number, type: string): { start: number; end: number } | null {
  let at = start;
  while (at + 8 <= end) {
    let size = u32be(b, at);
    let header = 8;
    if (size === 1) {
      if (at + 16 > end) return null;
      size = u64be(b, at + 8);
      header = 16;
    } else if (size === 0) size = end - at;
    if (size < header) return null;
    if (ascii(b, at + 4, 4) === type) return { start: at + header, end: Math.min(end, at + size) };
    at += size;
  }
  return null;
}

// Matroska/WebM element ids (https://www.matroska.org/technical/elements.html).
const SEGMENT = 0x18538067;
const INFO = 0x1549a966;
const TIMECODE_SCALE = 0x2ad7b1;
const CLUSTER = 0x1f43b675;
const CLUSTER_TIMECODE = 0xe7;
const SIMPLE_BLOCK = 0xa3;
const BLOCK_GROUP = 0xa0;
const BLOCK = 0xa1;
const BLOCK_DURATION = 0x9b;
/** Elements whose children we read; a cluster or segment of unknown size (MediaRecorder's) runs to the end. */
const MASTERS = new Set([SEGMENT, INFO, CLUSTER, BLOCK_GROUP]);

/** An EBML variable-length integer at `at`: its value (marker bit removed unless `keepMarker`) and length; null when truncated or invalid. */
function vint(b: Uint8Array, at: number, keepMarker: boolean): { value: number; length: number; unknown: boolean } | null {
  if (at >= b.length) return null;
  const first = b[at];
  if (first === 0) return null;
  const length = Math.clz32(first) - 23;
  if (at + length > b.length) return null;
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    value = value * 256 + b[at + i];
    if (b[at + i] !== 0xff) allOnes = false;
  }
  return { value, length, unknown: !keepMarker && allOnes };
}

/**
 * WebM: MediaRecorder writes no Duration and leaves the Segment and Clusters of unknown size, so
 * the length is the last block's time (cluster Timecode + the block's relative timecode, plus
 * BlockDuration when given) less the first's, in TimecodeScale units (default 1 ms).
 */
function webmDuration(b: Uint8Array): number | null {
  let scaleNs = 1_000_000;
  let clusterTime = 0;
  let first = Infinity;
  let last = -Infinity;
  // The walk is flat: masters are entered (their children read next), other elements skipped, so
  // an unknown-size cluster simply ends where the next cluster begins.
  let at = 0;
  let pendingBlock: number | null = null;
  while (at < b.length) {
    const id = vint(b, at, true);
    if (!id) break;
    const size = vint(b, at + id.length, false);
    if (!size) break;
    const body = at + id.length + size.length;
    if (MASTERS.has(id.value) || id.value === 0x1a45dfa3) {
      if (id.value === 0x1a45dfa3) {
        // The EBML header: skipped whole (it must have a known size).
        if (size.unknown) return null;
        at = body + size.value;
      } else at = body;
      continue;
    }
    if (size.unknown || body + size.value > b.length) break; // truncated, or a leaf with a lying size: what was read stands
    if (id.value === TIMECODE_SCALE) scaleNs = readUint(b, body, size.value) || scaleNs;
    else if (id.value === CLUSTER_TIMECODE) clusterTime = readUint(b, body, size.value);
    else if (id.value === SIMPLE_BLOCK || id.value === BLOCK) {
      const track = vint(b, body, false);
      if (track && track.length + 2 <= size.value) {
        const raw = (b[body + track.length] << 8) | b[body + track.length + 1];
        const time = clusterTime + (raw >= 0x8000 ? raw - 0x10000 : raw);
        first = Math.min(first, time);
        last = Math.max(last, time);
        pendingBlock = time;
      }
    } else if (id.value === BLOCK_DURATION && pendingBlock !== null) {
      last = Math.max(last, pendingBlock + readUint(b, body, size.value));
    }
    at = body + size.value;
  }
  if (last < first) return null;
  return ((last - first) * scaleNs) / 1_000_000;
}

function readUint(b: Uint8Array, at: number, length: number): number {
  let value = 0;
  for (let i = 0; i < Math.min(length, 7); i++) value = value * 256 + b[at + i];
  return value;
}
