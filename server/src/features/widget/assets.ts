import type { H3Event } from "h3";
import type { AppDeps } from "../../deps.js";
import { z } from "zod";
import { AppError } from "../../errors.js";
import { IdParam, type Router } from "../../http/route.js";
import { staticFiles } from "../../http/static-files.js";

/** rollup's [hash] is URL-safe base64, as our ids are: a name can never hold a path. */
const ChunkParams = z.object({ hash: IdParam });

/**
 * Serves the built widget (WIDGET_DIR, dist/widget) for self-hosting and the demo: /widget.js with
 * a short cache (pages keep its URL; a new release reaches them within minutes) and the chat
 * chunks /chat-<hash>.js, immutable since their name changes with their content. Both may be
 * loaded by any page (`access-control-allow-origin: *`); the widget API does its own origin checks.
 */
export function registerWidgetAssetRoutes(router: Router, deps: Pick<AppDeps, "config">): void {
  const { load, respond } = staticFiles(deps.config.widgetDir);

  async function serve(event: H3Event, name: string, cacheControl: string): Promise<Response> {
    const asset = await load(name);
    if (!asset) throw new AppError("not_found", "No such widget file.");
    return respond(
      event,
      asset,
      new Headers({
        "content-type": "text/javascript; charset=utf-8",
        "cache-control": cacheControl,
        "access-control-allow-origin": "*",
        "cross-origin-resource-policy": "cross-origin",
      }),
    );
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
