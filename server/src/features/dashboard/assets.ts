import type { H3Event } from "h3";
import { z } from "zod";
import type { AppDeps } from "../../deps.js";
import { AppError, type ErrorCode } from "../../errors.js";
import { IdParam, type Router } from "../../http/route.js";
import { staticFiles } from "../../http/static-files.js";

/** vite's `[name]-[hash]` names (server/dashboard/vite.config.ts): URL-safe, so a name can never hold a path. */
const AssetParams = z.object({ asset: IdParam });

/**
 * The dashboard's own pages may load only what this server serves; the preview frame is ours,
 * and only the dashboard may frame it. Avatars are owners' https (or data:) images.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' https: data:",
  "connect-src 'self'",
  "frame-src 'self'",
  "base-uri 'none'",
  "frame-ancestors 'self'",
].join("; ");

const TYPES = { html: "text/html; charset=utf-8", js: "text/javascript; charset=utf-8", css: "text/css; charset=utf-8" } as const;
const IMMUTABLE = "public, max-age=31536000, immutable";

/**
 * Serves the built dashboard (DASHBOARD_DIR, dist/dashboard) at /dashboard: the single-page
 * app's index.html for /dashboard and every client route below it (revalidated on each load, so
 * a release shows at once), the preview page the settings screen frames, and the hashed scripts
 * and stylesheets under /dashboard/assets/ (immutable: their name changes with their content).
 * Before
 * `npm run build:dashboard` has run, a browser gets a page saying so (503).
 */
export function registerDashboardRoutes(router: Router, deps: Pick<AppDeps, "config">): void {
  const { load, respond } = staticFiles(deps.config.dashboardDir);

  const htmlHeaders = () =>
    new Headers({
      "content-type": TYPES.html,
      "cache-control": "no-cache",
      "content-security-policy": DASHBOARD_CSP,
      "x-frame-options": "SAMEORIGIN",
      "referrer-policy": "same-origin",
    });

  async function page(event: H3Event, name: "index.html" | "preview.html"): Promise<Response> {
    const asset = await load(name);
    if (asset) return respond(event, asset, htmlHeaders());
    // Not built: a person in a browser is told what to run; anything else gets the API's error shape.
    if (!/\btext\/html\b/.test(event.req.headers.get("accept") ?? "")) {
      throw new AppError("not_found", "The dashboard has not been built: run `npm run build:dashboard`.");
    }
    const headers = htmlHeaders();
    headers.set("cache-control", "no-store");
    headers.set("retry-after", "30");
    return new Response(NOT_BUILT_PAGE, { status: 503, headers });
  }

  async function file(event: H3Event, name: string, type: keyof typeof TYPES): Promise<Response> {
    const asset = await load(`assets/${name}`);
    if (!asset) throw new AppError("not_found", "No such dashboard file.");
    return respond(event, asset, new Headers({ "content-type": TYPES[type], "cache-control": IMMUTABLE }));
  }

  const common = { method: "GET", tag: "dashboard", auth: "none", responseKind: "empty" } as const;
  const errors: ErrorCode[] = ["not_found"];

  router.add({
    ...common,
    errors,
    path: "/dashboard",
    summary: "The owner dashboard (single-page app)",
    handler: ({ event }) => page(event, "index.html"),
  });

  router.add({
    ...common,
    errors,
    path: "/dashboard/preview.html",
    summary: "The dashboard's live preview page: the real widget with unsaved settings, framed by the settings screen",
    handler: ({ event }) => page(event, "preview.html"),
  });

  router.add({
    ...common,
    errors,
    path: "/dashboard/assets/:asset.js",
    summary: "A content-hashed script of the dashboard",
    params: AssetParams,
    handler: ({ event, params }) => file(event, `${params.asset}.js`, "js"),
  });

  router.add({
    ...common,
    errors,
    path: "/dashboard/assets/:asset.css",
    summary: "A content-hashed stylesheet of the dashboard",
    params: AssetParams,
    handler: ({ event, params }) => file(event, `${params.asset}.css`, "css"),
  });

  router.add({
    ...common,
    errors,
    path: "/dashboard/**",
    summary: "The dashboard's client-side routes (/dashboard/sites/…): the single-page app again",
    handler: ({ event }) => {
      const rest = event.url.pathname.slice("/dashboard/".length);
      // A missing file (anything with an extension, or under assets/) is a 404, not the app.
      if (rest.startsWith("assets/") || /\.[^/]*$/.test(rest.split("/").pop() ?? ""))
        throw new AppError("not_found", "No such dashboard file.");
      return page(event, "index.html");
    },
  });
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Dashboard not built · Bailian Chat</title></head>
<body>
<main>
<h1>The dashboard has not been built yet</h1>
<p>This server serves the owner dashboard from its build output, which is missing. Build it, then reload this page:</p>
<pre><code>npm run build:dashboard</code></pre>
<p>(<code>npm run demo</code> and <code>npm test</code> build it for you. The directory is set by <code>DASHBOARD_DIR</code>, by default <code>dist/dashboard</code>.)</p>
<h1 lang="zh-CN">控制台尚未构建</h1>
<p lang="zh-CN">服务器找不到控制台的构建结果。请运行 <code>npm run build:dashboard</code>，然后刷新本页。</p>
<p>The API works meanwhile: <a href="/api/openapi.json">/api/openapi.json</a>.</p>
</main>
</body>
</html>
`;
