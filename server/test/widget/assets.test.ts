import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerWidgetAssetRoutes } from "../../src/features/widget/assets.js";
import { expectError } from "../support/expect-error.js";
import { type Harness, createHarness } from "../support/harness.js";

describe("GET /widget.js and the chat chunks", () => {
  let h: Harness;
  let dir: string;
  const loader = "(()=>{/* the loader */})();";
  const chunk = "(()=>{/* 聊天 chunk */})();";
  const handoffChunk = "(()=>{/* 转人工 chunk */})();";

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "bc-widget-"));
    writeFileSync(join(dir, "widget.js"), loader);
    writeFileSync(join(dir, "chat-AbC_12-x.js"), chunk);
    writeFileSync(join(dir, "chat-handoff-Hd0_ff-y.js"), handoffChunk);
    writeFileSync(join(dir, "secret.txt"), "not for you");
    h = await createHarness("sqlite", { WIDGET_DIR: dir });
    // Until app.ts registers these routes itself.
    if (!h.app.router.routes.some((r) => r.path === "/widget.js")) registerWidgetAssetRoutes(h.app.router, h.deps);
  });
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves the loader with a short cache, to any page", async () => {
    const res = await h.request("/widget.js");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await res.text()).toBe(loader);
  });

  it("serves a chat chunk as immutable", async () => {
    const res = await h.request("/chat-AbC_12-x.js");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(await res.text()).toBe(chunk);
  });

  it("serves the handoff chunk (loaded by the chat chunk) by the same rules", async () => {
    const res = await h.request("/chat-handoff-Hd0_ff-y.js");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(await res.text()).toBe(handoffChunk);
    await expectError(await h.request("/chat-handoff-unknown.js"), 404, "not_found");
  });

  it("gzips for clients that accept it", async () => {
    const res = await h.request("/chat-AbC_12-x.js", { headers: { "accept-encoding": "gzip, deflate, br" } });
    expect(res.headers.get("content-encoding")).toBe("gzip");
    expect(res.headers.get("vary")).toBe("accept-encoding");
    expect(gunzipSync(Buffer.from(await res.arrayBuffer())).toString()).toBe(chunk);
  });

  it("answers 304 for a matching ETag, and the new file once it changed", async () => {
    const first = await h.request("/widget.js");
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await h.request("/widget.js", { headers: { "if-none-match": `W/${etag}` } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");

    writeFileSync(join(dir, "widget.js"), "/* v2 */");
    utimesSync(join(dir, "widget.js"), new Date(), new Date(Date.now() + 5000));
    const changed = await h.request("/widget.js", { headers: { "if-none-match": etag } });
    expect(changed.status).toBe(200);
    expect(await changed.text()).toBe("/* v2 */");
    writeFileSync(join(dir, "widget.js"), loader);
  });

  it.each(["/chat-unknown.js", "/chat-AbC_12-x.js.map", "/secret.txt", "/chat-AbC_12-x.css"])(
    "answers %s with the standard 404",
    async (path) => {
      await expectError(await h.request(path), 404, "not_found");
    },
  );

  it.each(["/chat-..%2Fsecret.txt%00.js", "/chat-%2e%2e%2fsecret.js", "/chat-a.b.js", "/chat-ab.js", "/chat-x%00y.js"])(
    "answers the malformed name %s with 400 invalid_params, as every route does",
    async (path) => {
      await expectError(await h.request(path), 400, "invalid_params");
    },
  );

  it("answers 404 when the widget was not built", async () => {
    rmSync(join(dir, "widget.js"));
    try {
      await expectError(await h.request("/widget.js"), 404, "not_found");
    } finally {
      writeFileSync(join(dir, "widget.js"), loader);
    }
  });
});
