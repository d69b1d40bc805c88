import type { H3Event } from "h3";
import { AppError } from "../../errors.js";
import { readBodyBytes } from "../../http/body.js";
import { MAX_FILE_BYTES, MAX_FILES_PER_REQUEST, MAX_UPLOAD_BYTES } from "./knowledge-bounds.js";

export interface UploadedFile {
  name: string;
  /** what the browser said; the parser believes the content, not this */
  type: string | null;
  bytes: Uint8Array;
}

/** The kinds of file the parsers read (parse/): the content decides in the end, the name only admits it. */
const ACCEPTED = /\.(pdf|docx|md|markdown|txt|text|html?|csv)$/i;

/**
 * The `file` fields of a multipart/form-data request. The body is read with a bound while it
 * streams (a huge upload is refused before it is held), then parsed by the platform's own
 * multipart reader.
 */
export async function readUploads(event: H3Event): Promise<UploadedFile[]> {
  const contentType = event.req.headers.get("content-type") ?? "";
  const body = await readBodyBytes(
    event,
    MAX_UPLOAD_BYTES,
    `An upload may total at most ${Math.floor(MAX_UPLOAD_BYTES / 1024 / 1024)} MB; send fewer files at once.`,
  );
  let form: FormData;
  try {
    form = await new Response(body, { headers: { "content-type": contentType } }).formData();
  } catch {
    throw new AppError("invalid_body", "The upload could not be read as multipart/form-data.");
  }
  const entries = form.getAll("file").filter((v): v is File => typeof v !== "string");
  if (!entries.length) throw new AppError("invalid_body", "Attach at least one file in a field named file.");
  if (entries.length > MAX_FILES_PER_REQUEST) throw new AppError("invalid_body", `Upload at most ${MAX_FILES_PER_REQUEST} files at once.`);
  const files: UploadedFile[] = [];
  for (const entry of entries) {
    const name = cleanName(entry.name);
    if (!ACCEPTED.test(name)) {
      throw new AppError("unsupported_file", `${name}: upload a PDF, Word (.docx), Markdown, plain text, HTML or CSV file.`);
    }
    if (entry.size > MAX_FILE_BYTES) throw new AppError("file_too_large", `${name} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB.`);
    if (entry.size === 0) throw new AppError("invalid_body", `${name} is empty.`);
    files.push({ name, type: entry.type || null, bytes: new Uint8Array(await entry.arrayBuffer()) });
  }
  return files;
}

/** A file name as a title: no path, no control characters, bounded. */
function cleanName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  const clean = base
    .replace(/[\u0000-\u001f\u007f]/g, "")
    .trim()
    .slice(0, 200);
  return clean || "file";
}
