// Media bytes for tests of pictures and voice: WAV clips, a JPEG header, MP3 frame walking.

/** A 16 kHz mono 16-bit PCM WAV of `seconds`: a 440 Hz tone, or silence. */
export function wav(seconds: number, tone = true): Buffer {
  const rate = 16000;
  const samples = Math.round(seconds * rate);
  const out = Buffer.alloc(44 + samples * 2);
  out.write("RIFF", 0, "ascii");
  out.writeUInt32LE(36 + samples * 2, 4);
  out.write("WAVEfmt ", 8, "ascii");
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20);
  out.writeUInt16LE(1, 22);
  out.writeUInt32LE(rate, 24);
  out.writeUInt32LE(rate * 2, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write("data", 36, "ascii");
  out.writeUInt32LE(samples * 2, 40);
  if (tone) for (let i = 0; i < samples; i++) out.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), 44 + i * 2);
  return out;
}

/** The start of a baseline JPEG of width × height: SOI, an APP0 segment, SOF0 (what a header probe reads). */
export function jpegHeader(width: number, height: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.alloc(9), Buffer.from([0xff, 0xd9])]);
}

/** Frame lengths of MPEG audio Layer III frames walked from the start; throws at the first byte that is not a frame header. */
export function mp3Frames(bytes: Uint8Array): number[] {
  const lengths: number[] = [];
  const mpeg1Kbps = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
  const mpeg2Kbps = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
  const rates: Record<number, number[]> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] };
  for (let at = 0; at < bytes.length;) {
    const b1 = bytes[at + 1] ?? 0;
    const b2 = bytes[at + 2] ?? 0;
    // 11 sync bits, then version, layer III (01)
    if (bytes[at] !== 0xff || (b1 & 0xe0) !== 0xe0 || ((b1 >> 1) & 3) !== 1) throw new Error(`no MP3 frame header at byte ${at}`);
    const version = (b1 >> 3) & 3;
    const kbps = (version === 3 ? mpeg1Kbps : mpeg2Kbps)[b2 >> 4]!;
    const rate = rates[version]![(b2 >> 2) & 3]!;
    const length = Math.floor(((version === 3 ? 144 : 72) * kbps * 1000) / rate) + ((b2 >> 1) & 1);
    if (!kbps || !rate || length < 4) throw new Error(`bad MP3 frame header at byte ${at}`);
    if (at + length > bytes.length) throw new Error(`MP3 frame at byte ${at} cut short`);
    lengths.push(length);
    at += length;
  }
  return lengths;
}
