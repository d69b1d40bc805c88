import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import { gzipSync } from "node:zlib";
import type { H3Event } from "h3";
import type { AppDeps } from "../../app.js";
import { z } from "zod";
import { AppError } from "../../errors.js";
import { IdParam, type Router } from "../../http/route.js";

/** rollup's [hash] is URL-safe base64, as our ids are: a name can never hold a path. */
const ChunkParams = z.object({ hash: IdParam });

interface Asset {
  mtimeMs: number;
  size: number;
  body: Uint8Array<ArrayBuffer>;
  gzip: Uint8Array<ArrayBuffer>;
  etag: string;
}

/**
 * Serves the built widget (WIDGET_DIR, dist/widget) for self-hosting and the demo: /widget.js with
 * a short cache (pages keep its URL; a new release reaches them within minutes) and the chat
 * chunks /chat-<hash>.js, immutable since their name changes with their content. Both may be
 * loaded by any page (`access-control-allow-origin: *`); the widget API does its own origin checks.
 * Files are read once per change (mtime, size) and kept gzipped in memory.
 */
export function registerWidgetAssetRoutes(router: Router, deps: Pick<AppDeps, "config">): void {
  const dir = resolve(deps.config.widgetDir);
  const cache = new Map<string, Asset>();

  async function load(name: string): Promise<Asset | null> {
    const path = join(dir, name);
    if (!path.startsWith(dir + sep)) return null;
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) return null;
    const hit = cache.get(name);
    if (hit && hit.mtimeMs === info.mtimeMs && hit.size === info.size) return hit;
    const body = Uint8Array.from(await readFile(path));
    const asset: Asset = {
      mtimeMs: info.mtimeMs,
      size: info.size,
      body,
      gzip: Uint8Array.from(gzipSync(body, { level: 9 })),
      etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 32)}"`,
    };
    cache.set(name, asset);
    return asset;
  }

  async function serve(event: H3Event, name: string, cacheControl: string): Promise<Response> {
    const asset = await load(name);
    if (!asset) throw new AppError("not_found", "No such widget file.");
    const headers = new Headers({
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": cacheControl,
      etag: asset.etag,
      vary: "accept-encoding",
      "access-control-allow-origin": "*",
      "cross-origin-resource-policy": "cross-origin",
      "x-content-type-options": "nosniff",
    });
    const ifNoneMatch = event.req.headers.get("if-none-match");
    if (ifNoneMatch && ifNoneMatch.split(/\s*,\s*/).some((tag) => tag.replace(/^W\//, "") === asset.etag)) {
      return new Response(null, { status: 304, headers });
    }
    const gzip = /\bgzip\b/.test(event.req.headers.get("accept-encoding") ?? "");
    if (gzip) headers.set("content-encoding", "gzip");
    const body = gzip ? asset.gzip : asset.body;
    headers.set("content-length", String(body.byteLength));
    return new Response(body, { status: 200, headers });
  }

  router.add({
    method: "GET",
    path: "/widget.js",
    summary: "The widget's loader script (the one a page includes)",
    tag: "widget",
    auth: "none",
    responseKind: "empty",
    errors: ["not_found"],
    handler: ({ event }) => serve(event, "widget.js", "public, max-age=300"),
  });

  router.add({
    method: "GET",
    path: "/chat-:hash.js",
    summary: "A content-hashed chunk of the widget, loaded by widget.js",
    tag: "widget",
    auth: "none",
    params: ChunkParams,
    responseKind: "empty",
    errors: ["not_found"],
    handler: ({ event, params }) => serve(event, `chat-${params.hash}.js`, "public, max-age=31536000, immutable"),
  });
}
