import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS } from "./support/databases.js";
import { expectError } from "./support/expect-error.js";
import { PUBLIC_URL, SITE_ORIGIN, createHarness, createSite, type Harness, json, signUpOwner, startVisitor } from "./support/harness.js";

/**
 * Regression (issue 11, hole 8): a site with `allowedOrigins: []` chatted with a script that sent
 * no Origin. Browsers send Origin on every cross-origin request, so the widget API refuses
 * requests without one — except same-origin ones (Sec-Fetch-Site: same-origin), which is how the
 * dashboard's preview, on the server's own origin, lists conversations.
 */
describe.each(DIALECTS)("the widget API without an Origin (%s)", (dialect) => {
  let h: Harness;
  let closed: Awaited<ReturnType<typeof createSite>>;
  let shop: Awaited<ReturnType<typeof createSite>>;

  beforeAll(async () => {
    h = await createHarness(dialect);
    const { cookie } = await signUpOwner(h);
    closed = await createSite(h, cookie, { allowedOrigins: [] });
    shop = await createSite(h, cookie);
  });
  afterAll(() => h.close());

  const count = async (table: "conversations" | "messages" | "visitors") =>
    Number(
      (
        await h.deps.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it("a script with no Origin gets 403 origin_required from the config and the sessions routes, on a site that allows no origin", async () => {
    const before = await count("visitors");
    for (const site of [closed, shop]) {
      const config = await h.request(`/v1/widget/${site.siteKey}/config`);
      expect(config.headers.get("vary")).toBe("Origin");
      expect(config.headers.get("access-control-allow-origin")).toBeNull();
      await expectError(config, 403, "origin_required");
      await expectError(await h.request(`/v1/widget/${site.siteKey}/sessions`, { method: "POST" }), 403, "origin_required");
      // A cross-site fetch states where it comes from: no Origin with it is not a browser's.
      const crossSite = await h.request(`/v1/widget/${site.siteKey}/sessions`, {
        method: "POST",
        headers: { "sec-fetch-site": "cross-site" },
      });
      await expectError(crossSite, 403, "origin_required");
    }
    expect(await count("visitors")).toBe(before);
  });

  it("a visitor token used without an Origin is refused on every conversation route, and nothing is written", async () => {
    const visitor = await startVisitor(h, shop.siteKey);
    const bare = { authorization: visitor.headers.authorization };
    const [conversations, messages] = [await count("conversations"), await count("messages")];
    const calls: Array<[string, RequestInit]> = [
      ["/v1/conversations", { headers: bare }],
      ["/v1/conversations", { method: "POST", headers: bare }],
      [`/v1/conversations/${visitor.conversationId}/messages`, { headers: bare }],
      [`/v1/conversations/${visitor.conversationId}/messages`, json({ content: "hello" }, bare)],
      [`/v1/conversations/${visitor.conversationId}/retry`, json({ userMessageId: "m_none" }, bare)],
    ];
    for (const [path, init] of calls) await expectError(await h.request(path, init), 403, "origin_required");
    expect([await count("conversations"), await count("messages")]).toEqual([conversations, messages]);
    expect(h.fake.requests.length).toBe(0);
  });

  it("the dashboard's preview still works: its POSTs carry the server's own Origin, its same-origin GETs carry Sec-Fetch-Site", async () => {
    const own = new URL(PUBLIC_URL).origin;
    const session = await h.request(`/v1/widget/${closed.siteKey}/sessions`, { method: "POST", headers: { origin: own } });
    expect(session.status).toBe(201);
    const { token } = (await session.json()) as { token: string };
    const created = await h.request("/v1/conversations", { method: "POST", headers: { origin: own, authorization: `Bearer ${token}` } });
    expect(created.status).toBe(201);
    const { conversation } = (await created.json()) as { conversation: { id: string } };

    const sameOrigin = { authorization: `Bearer ${token}`, "sec-fetch-site": "same-origin" };
    const list = await h.request("/v1/conversations", { headers: sameOrigin });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { conversations: Array<{ id: string }> }).conversations.map((c) => c.id)).toContain(conversation.id);
    expect((await h.request(`/v1/conversations/${conversation.id}/messages`, { headers: sameOrigin })).status).toBe(200);
  });

  it("a page of an allowed origin is unaffected", async () => {
    const config = await h.request(`/v1/widget/${shop.siteKey}/config`, { headers: { origin: SITE_ORIGIN } });
    expect(config.status).toBe(200);
    expect(config.headers.get("access-control-allow-origin")).toBe(SITE_ORIGIN);
  });
});
