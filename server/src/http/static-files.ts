import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import { gzipSync } from "node:zlib";
import type { H3Event } from "h3";

interface StaticFile {
  mtimeMs: number;
  size: number;
  body: Uint8Array<ArrayBuffer>;
  gzip: Uint8Array<ArrayBuffer>;
  etag: string;
}

/**
 * Built files (the widget, the dashboard) served from one folder: read once per change (mtime,
 * size) and kept gzipped in memory, with ETag revalidation. Names that would leave the folder
 * are not found.
 */
export function staticFiles(folder: string) {
  const dir = resolve(folder);
  const cache = new Map<string, StaticFile>();

  return {
    async load(name: string): Promise<StaticFile | null> {
      const path = join(dir, name);
      if (!path.startsWith(dir + sep)) return null;
      const info = await stat(path).catch(() => null);
      if (!info?.isFile()) return null;
      const hit = cache.get(name);
      if (hit && hit.mtimeMs === info.mtimeMs && hit.size === info.size) return hit;
      const body = Uint8Array.from(await readFile(path));
      const file: StaticFile = {
        mtimeMs: info.mtimeMs,
        size: info.size,
        body,
        gzip: Uint8Array.from(gzipSync(body, { level: 9 })),
        etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 32)}"`,
      };
      cache.set(name, file);
      return file;
    },

    /** 304 when the browser has it, else the body (gzipped when accepted), with `headers`. */
    respond(event: H3Event, file: StaticFile, headers: Headers): Response {
      headers.set("etag", file.etag);
      headers.set("vary", "accept-encoding");
      headers.set("x-content-type-options", "nosniff");
      const ifNoneMatch = event.req.headers.get("if-none-match");
      if (ifNoneMatch && ifNoneMatch.split(/\s*,\s*/).some((tag) => tag.replace(/^W\//, "") === file.etag)) {
        return new Response(null, { status: 304, headers });
      }
      const gzip = /\bgzip\b/.test(event.req.headers.get("accept-encoding") ?? "");
      if (gzip) headers.set("content-encoding", "gzip");
      const body = gzip ? file.gzip : file.body;
      headers.set("content-length", String(body.byteLength));
      return new Response(body, { status: 200, headers });
    },
  };
}
