import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { AppError } from "../src/errors.js";
import { probeAudio, sniffAudio } from "../src/features/uploads/audio-probe.js";
import { probeImage, sniffImage } from "../src/features/uploads/image-probe.js";
import { gif, heic, jpeg, mp4, oggOpus, png, wav, webm, webp } from "./support/media-bytes.js";

const codeOf = (run: () => unknown): string => {
  try {
    run();
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  return "accepted";
};

describe("image-probe: type and size from the header alone", () => {
  it("reads a real PNG's IHDR (the builder's pixels inflate to width×height rows)", () => {
    const file = png(64, 48);
    // the builder's file is a real PNG: its IDAT inflates to one filter byte and 3 bytes a pixel per row
    const idat = file.indexOf("IDAT");
    const length = file.readUInt32BE(idat - 4);
    expect(inflateSync(file.subarray(idat + 4, idat + 4 + length)).length).toBe(48 * (1 + 64 * 3));
    expect(probeImage(file)).toEqual({ mediaType: "image/png", width: 64, height: 48 });
  });

  it("walks JPEG markers to SOF0 and to progressive SOF2, past fill bytes", () => {
    expect(probeImage(jpeg(1920, 1080))).toEqual({ mediaType: "image/jpeg", width: 1920, height: 1080 });
    expect(probeImage(jpeg(300, 4000, 0xc2))).toEqual({ mediaType: "image/jpeg", width: 300, height: 4000 });
  });

  it("reads WebP VP8, VP8L and VP8X", () => {
    expect(probeImage(webp(640, 480, "VP8 "))).toEqual({ mediaType: "image/webp", width: 640, height: 480 });
    expect(probeImage(webp(1000, 16000 / 4, "VP8L"))).toEqual({ mediaType: "image/webp", width: 1000, height: 4000 });
    expect(probeImage(webp(7999, 5000, "VP8X"))).toEqual({ mediaType: "image/webp", width: 7999, height: 5000 });
  });

  it("refuses HEIC, GIF and what is no picture, each with its code", () => {
    expect(sniffImage(heic())).toBe("image/heic");
    expect(codeOf(() => probeImage(heic()))).toBe("unsupported_media");
    expect(codeOf(() => probeImage(gif()))).toBe("unsupported_media");
    expect(codeOf(() => probeImage(Buffer.from("hello, I am a text file")))).toBe("media_mismatch");
    expect(codeOf(() => probeImage(Buffer.alloc(0)))).toBe("media_mismatch");
  });

  it("refuses a 100000×100000 PNG header as image_too_large without inflating anything", () => {
    const bomb = png(100_000, 100_000, { pixels: false });
    expect(bomb.length).toBeLessThan(2000);
    const before = process.memoryUsage().arrayBuffers;
    expect(codeOf(() => probeImage(bomb))).toBe("image_too_large");
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1024 * 1024);
    // a side over 8,000 and over 40 megapixels in all, each alone
    expect(codeOf(() => probeImage(png(8001, 1, { pixels: false })))).toBe("image_too_large");
    expect(codeOf(() => probeImage(jpeg(7000, 7000)))).toBe("image_too_large");
    expect(probeImage(jpeg(8000, 5000))).toMatchObject({ width: 8000, height: 5000 });
  });

  it("answers media_mismatch for truncated and lying headers, and never loops", () => {
    const file = jpeg(100, 100);
    for (let cut = 0; cut < file.length; cut++) {
      const code = codeOf(() => probeImage(file.subarray(0, cut)));
      expect(["media_mismatch", "accepted"], `cut at ${cut}`).toContain(code);
    }
    expect(codeOf(() => probeImage(png(10, 10).subarray(0, 20)))).toBe("media_mismatch");
    // a segment length of 0 or one pointing past the end
    const lying = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x00, 0xff, 0xc0]);
    expect(codeOf(() => probeImage(lying))).toBe("media_mismatch");
    const past = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0xff, 0xff, 0x00]);
    expect(codeOf(() => probeImage(past))).toBe("media_mismatch");
    // a zero-sized picture
    expect(codeOf(() => probeImage(png(0, 10, { pixels: false })))).toBe("media_mismatch");
    // a WebP whose VP8 frame lacks its start code
    const noStart = webp(10, 10);
    noStart[23] = 0;
    expect(codeOf(() => probeImage(noStart))).toBe("media_mismatch");
  });
});

describe("audio-probe: container and duration", () => {
  it("reads a MediaRecorder WebM (no Duration, unknown-size Segment and Clusters) from its block timecodes", () => {
    const file = webm(4500, { clusterMs: 2000 });
    expect(sniffAudio(file)).toBe("audio/webm");
    // last frame starts at 4480 ms: the first block is at 0
    expect(probeAudio(file)).toEqual({ mediaType: "audio/webm", durationMs: 4480 });
    // a TimecodeScale other than 1 ms, and a BlockGroup with BlockDuration at the end
    expect(probeAudio(webm(3000, { timecodeScale: 2_000_000, blockGroups: true })).durationMs).toBe(3000);
  });

  it("reads Ogg Opus from the last granule (48 kHz less the pre-skip), MP4 from mvhd (versions 0 and 1), WAV from its header", () => {
    expect(probeAudio(oggOpus(2500))).toEqual({ mediaType: "audio/ogg", durationMs: 2500 });
    expect(probeAudio(mp4(12_345))).toEqual({ mediaType: "audio/mp4", durationMs: 12_345 });
    expect(probeAudio(mp4(5000, 1))).toEqual({ mediaType: "audio/mp4", durationMs: 5000 });
    expect(probeAudio(wav(1500))).toEqual({ mediaType: "audio/wav", durationMs: 1500 });
  });

  it("refuses recordings under 0.3 s or without frames, and over 60 s", () => {
    expect(codeOf(() => probeAudio(wav(200)))).toBe("recording_empty");
    expect(codeOf(() => probeAudio(webm(0)))).toBe("recording_empty");
    expect(codeOf(() => probeAudio(oggOpus(100)))).toBe("recording_empty");
    expect(codeOf(() => probeAudio(webm(61_000)))).toBe("recording_too_long");
    expect(codeOf(() => probeAudio(mp4(90_000)))).toBe("recording_too_long");
    expect(codeOf(() => probeAudio(wav(60_000)))).toBe("accepted");
    expect(codeOf(() => probeAudio(Buffer.from("not audio at all")))).toBe("media_mismatch");
  });

  it("bounds a WAV whose data size lies by the bytes there (a streamed WAV says 0xffffffff)", () => {
    expect(probeAudio(wav(1000, { dataSize: 0xffffffff })).durationMs).toBe(1000);
  });

  it("survives every truncation of a WebM and an Ogg: a duration from what is there, or a refusal", () => {
    for (const file of [webm(2000, { clusterMs: 500 }), oggOpus(3000), mp4(2000), wav(800)]) {
      for (let cut = 0; cut <= file.length; cut += 7) {
        const code = codeOf(() => probeAudio(file.subarray(0, cut)));
        expect(["accepted", "recording_empty", "media_mismatch"], `cut at ${cut}`).toContain(code);
      }
    }
  });

  it("stops at hostile sizes: a block past the end, an 8-byte size, a box of size 0 or 1", () => {
    const file = webm(1000);
    // The last SimpleBlock claims more bytes than there are: what came before stands.
    const lastBlock = file.lastIndexOf(Buffer.from([0xa3, 0x80 | 44]));
    const lying = Buffer.from(file);
    lying[lastBlock + 1] = 0x80 | 0x7e;
    expect(probeAudio(lying).durationMs).toBe(960);
    // a huge 8-byte size on the EBML header
    const huge = Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]), Buffer.alloc(10)]);
    expect(codeOf(() => probeAudio(huge))).toBe("recording_empty");
    const zeroBox = Buffer.concat([
      Buffer.from([0, 0, 0, 16]),
      Buffer.from("ftypM4A "),
      Buffer.alloc(4),
      Buffer.from([0, 0, 0, 0]),
      Buffer.from("moov"),
    ]);
    expect(codeOf(() => probeAudio(zeroBox))).toBe("recording_empty");
    const tinyBox = Buffer.concat([
      Buffer.from([0, 0, 0, 16]),
      Buffer.from("ftypM4A "),
      Buffer.alloc(4),
      Buffer.from([0, 0, 0, 3]),
      Buffer.from("moov"),
    ]);
    expect(codeOf(() => probeAudio(tinyBox))).toBe("recording_empty");
  });
});
