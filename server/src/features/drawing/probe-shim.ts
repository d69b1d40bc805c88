// TEMPORARY until the uploads room lands its image-probe.ts: PNG only.
export function probeDrawnImage(bytes: Uint8Array): { mediaType: string; width: number; height: number } | null {
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 24 || !png.every((b, i) => bytes[i] === b)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { mediaType: "image/png", width: view.getUint32(16), height: view.getUint32(20) };
}
