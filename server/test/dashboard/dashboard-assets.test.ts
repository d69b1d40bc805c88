import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DASHBOARD_CSP, registerDashboardRoutes } from "../../src/features/dashboard/assets.js";
import { expectError } from "../support/expect-error.js";
import { type Harness, createHarness } from "../support/harness.js";

const INDEX =
  '<!doctype html><html><head><script type="module" src="/dashboard/assets/index-Ab_C1-x.js"></script></head><body><div id="app"></div></body></html>';
const PREVIEW = '<!doctype html><main id="preview-root"></main>';
const SCRIPT = "console.log('控制台');";
const STYLES = "body{margin:0}";

/** The app as main.ts builds it, with the dashboard's routes (registered here until app.ts does). */
async function harnessFor(dir: string): Promise<Harness> {
  const h = await createHarness("sqlite", { DASHBOARD_DIR: dir });
  if (!h.app.router.routes.some((r) => r.path === "/dashboard")) registerDashboardRoutes(h.app.router, h.deps);
  return h;
}

describe("GET /dashboard: the built single-page app", () => {
  let h: Harness;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "bc-dashboard-"));
    mkdirSync(join(dir, "assets"));
    writeFileSync(join(dir, "index.html"), INDEX);
    writeFileSync(join(dir, "preview.html"), PREVIEW);
    writeFileSync(join(dir, "assets", "index-Ab_C1-x.js"), SCRIPT);
    writeFileSync(join(dir, "assets", "index-Ab_C1-x.css"), STYLES);
    writeFileSync(join(dir, "secret.txt"), "not for you");
    h = await harnessFor(dir);
  });
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const expectHtmlPage = async (res: Response, body: string) => {
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(res.headers.get("content-security-policy")).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; connect-src 'self'; frame-src 'self'; base-uri 'none'; frame-ancestors 'self'",
    );
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(await res.text()).toBe(body);
  };

  it.each([
    "/dashboard",
    "/dashboard/",
    "/dashboard/signin",
    "/dashboard/sites/site_abc123/settings",
    "/dashboard/sites/site_abc123/conversations/cnv_1?q=tea",
  ])("answers %s (the app or one of its client routes) with index.html, revalidated, under a strict CSP", async (path) => {
    await expectHtmlPage(await h.request(path, { headers: { accept: "text/html" } }), INDEX);
  });

  it("serves the preview page with the same policy (it may be framed by the dashboard only)", async () => {
    await expectHtmlPage(await h.request("/dashboard/preview.html"), PREVIEW);
    expect(DASHBOARD_CSP).toContain("frame-ancestors 'self'");
  });

  it("serves hashed scripts and stylesheets as immutable, with their types", async () => {
    const js = await h.request("/dashboard/assets/index-Ab_C1-x.js");
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(js.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await js.text()).toBe(SCRIPT);
    const css = await h.request("/dashboard/assets/index-Ab_C1-x.css");
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(await css.text()).toBe(STYLES);
  });

  it("gzips for clients that accept it, and answers 304 for a matching ETag until the file changes", async () => {
    const zipped = await h.request("/dashboard", { headers: { "accept-encoding": "gzip, br" } });
    expect(zipped.headers.get("content-encoding")).toBe("gzip");
    expect(gunzipSync(Buffer.from(await zipped.arrayBuffer())).toString()).toBe(INDEX);
    const etag = zipped.headers.get("etag")!;
    const again = await h.request("/dashboard/sites/site_abc123/usage", { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    writeFileSync(join(dir, "index.html"), `${INDEX}<!-- v2 -->`);
    utimesSync(join(dir, "index.html"), new Date(), new Date(Date.now() + 5000));
    const changed = await h.request("/dashboard", { headers: { "if-none-match": etag } });
    expect(changed.status).toBe(200);
    expect(await changed.text()).toBe(`${INDEX}<!-- v2 -->`);
    writeFileSync(join(dir, "index.html"), INDEX);
  });

  it.each([
    "/dashboard/assets/index-unknown.js",
    "/dashboard/assets/index-Ab_C1-x.js.map",
    "/dashboard/secret.txt",
    "/dashboard/assets/secret.txt",
    "/dashboard/index-Ab_C1-x.js",
    "/dashboard/favicon.ico",
    "/dashboard/sites/x/y.png",
  ])("answers the missing file %s with the standard 404, not the app", async (path) => {
    await expectError(await h.request(path, { headers: { accept: "text/html" } }), 404, "not_found");
  });

  it.each([
    "/dashboard/assets/..%2Fsecret.txt%00.js",
    "/dashboard/assets/%2e%2e%2fsecret.js",
    "/dashboard/assets/a.b.js",
    "/dashboard/assets/ab.css",
    "/dashboard/assets/x%00y.js",
  ])("answers the malformed name %s with 400 invalid_params, as every route does", async (path) => {
    await expectError(await h.request(path), 400, "invalid_params");
  });

  it("never serves a file outside its directory, however the path is spelled", async () => {
    for (const path of [
      "/dashboard/../secret.txt",
      "/dashboard/%2e%2e/secret.txt",
      "/dashboard/..%2Fsecret.txt",
      "/dashboard/%2e%2e%2f%2e%2e%2fpackage.json",
      "/dashboard/assets/..%2F..%2Fpackage.json",
    ]) {
      const res = await h.request(path);
      const body = await res.text();
      expect(body, path).not.toContain("not for you");
      expect(body, path).not.toContain('"name": "bailian-chat"');
    }
  });
});

describe("GET /dashboard before the dashboard was built", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harnessFor(join(tmpdir(), `bc-no-dashboard-${Date.now()}`));
  });
  afterAll(() => h.close());

  it("tells a person in a browser what to run (503, a page in both languages)", async () => {
    for (const path of ["/dashboard", "/dashboard/sites/site_abc123/settings"]) {
      const res = await h.request(path, { headers: { accept: "text/html,application/xhtml+xml,*/*;q=0.8" } });
      expect(res.status).toBe(503);
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(res.headers.get("content-security-policy")).toBe(DASHBOARD_CSP);
      const page = await res.text();
      expect(page).toContain("npm run build:dashboard");
      expect(page).toContain("控制台尚未构建");
    }
  });

  it("answers other clients with the API's error shape", async () => {
    await expectError(await h.request("/dashboard"), 404, "not_found");
    await expectError(await h.request("/dashboard/assets/index-Ab_C1-x.js", { headers: { accept: "text/html" } }), 404, "not_found");
  });
});
