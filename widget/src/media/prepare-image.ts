/** docs/media.md "Widget": pictures larger than this a side or in bytes are scaled down to JPEG before upload. */
export const MAX_SIDE = 2048;
export const MAX_BYTES = 4 * 1024 * 1024;
/** The server's limit for an image upload: a picture this browser cannot decode goes as it is up to this. */
const MAX_UPLOAD = 10 * 1024 * 1024;
const TYPES = ["image/jpeg", "image/png", "image/webp"];

/** A failure the visitor is told of by code (strings.ts MediaProblem). */
export const problem = (code: string) => ({ code });

/**
 * The picture to upload for `file`: JPEG, PNG or WebP as they are when small enough; larger ones
 * drawn into a canvas at most MAX_SIDE a side and encoded as JPEG (lower quality until it fits
 * MAX_BYTES). HEIC/HEIF (iPhone photos) is converted where the browser decodes it (Safari); the
 * server refuses it, so elsewhere it is refused here with a clear message.
 */
export async function prepareImage(file: File): Promise<Blob> {
  const heic = /hei[cf]/i.test(file.type) || /\.hei[cf]$/i.test(file.name);
  if (!heic && !TYPES.includes(file.type)) throw problem("notImage");
  let bitmap: ImageBitmap | undefined;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    // no decoder for it here (or no createImageBitmap at all)
  }
  if (!bitmap) {
    if (heic) throw problem("heic");
    if (file.size > MAX_UPLOAD) throw problem("file_too_large");
    return file;
  }
  const { width, height } = bitmap;
  const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
  if (!heic && scale === 1 && file.size <= MAX_BYTES) {
    bitmap.close();
    return file;
  }
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  canvas.getContext("2d")?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  for (const quality of [0.85, 0.7, 0.5]) {
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
    if (blob && blob.size <= MAX_BYTES) return blob;
  }
  throw problem(heic ? "heic" : "file_too_large");
}
