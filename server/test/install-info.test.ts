import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InstallResponse } from "../src/features/auth/auth.schemas.js";
import { DIALECTS } from "./support/databases.js";
import { type Harness, PUBLIC_URL, createHarness, signUpOwner } from "./support/harness.js";
import { expectError } from "./support/expect-error.js";

const CDN_WIDGET = "https://cdn.example.com/widget/widget.js";

/**
 * GET /api/me/install tells the dashboard's install page where pages load widget.js from (the
 * CDN's WIDGET_URL, else this server's /widget.js) and the API it must talk to (PUBLIC_URL).
 */
describe.each(DIALECTS)("GET /api/me/install (%s)", (dialect) => {
  let selfHosted: Harness;
  let cdn: Harness;
  beforeAll(async () => {
    [selfHosted, cdn] = await Promise.all([createHarness(dialect), createHarness(dialect, { WIDGET_URL: CDN_WIDGET })]);
  });
  afterAll(() => Promise.all([selfHosted?.close(), cdn?.close()]));

  async function installOf(h: Harness) {
    const { cookie } = await signUpOwner(h);
    const res = await h.request("/api/me/install", { headers: { cookie } });
    expect(res.status).toBe(200);
    const body = await res.json();
    // Nothing outside the documented schema.
    expect(InstallResponse.parse(body)).toEqual(body);
    return body as { install: { widgetUrl: string; apiBase: string } };
  }

  it("without WIDGET_URL: this server's own /widget.js, and this server as the API", async () => {
    expect(await installOf(selfHosted)).toEqual({ install: { widgetUrl: `${PUBLIC_URL}/widget.js`, apiBase: PUBLIC_URL } });
  });

  it("with WIDGET_URL: the CDN's widget.js, and still this server as the API", async () => {
    expect(await installOf(cdn)).toEqual({ install: { widgetUrl: CDN_WIDGET, apiBase: PUBLIC_URL } });
  });

  it("is for signed-in owners only", async () => {
    await expectError(await cdn.request("/api/me/install"), 401, "unauthorized");
    await expectError(await cdn.request("/api/me/install", { headers: { cookie: "bc_session=forged" } }), 401, "unauthorized");
  });

  it("is documented in /api/openapi.json with its answer's schema", async () => {
    const doc = (await (await cdn.request("/api/openapi.json")).json()) as {
      paths: Record<
        string,
        Record<string, { security?: unknown; responses: Record<string, { content?: Record<string, { schema: any }> }> }>
      >;
    };
    const op = doc.paths["/api/me/install"]?.get;
    expect(op?.security).toEqual([{ ownerSession: [] }]);
    const schema = op!.responses["200"].content!["application/json"].schema;
    expect(schema.required).toEqual(["install"]);
    expect(Object.keys(schema.properties.install.properties).sort()).toEqual(["apiBase", "widgetUrl"]);
  });
});
