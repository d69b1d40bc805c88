import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS } from "./support/databases.js";
import {
  type Harness,
  SITE_ORIGIN,
  createHarness,
  createSite,
  json,
  readSse,
  sendMessage,
  signUpOwner,
  startVisitor,
} from "./support/harness.js";
import { expectError } from "./support/expect-error.js";

type Visitor = Awaited<ReturnType<typeof startVisitor>>;

describe.each(DIALECTS)("nobody sees what is not theirs (%s)", (dialect) => {
  let h: Harness;
  let a: { cookie: string; ownerId: string };
  let b: { cookie: string; ownerId: string };
  let siteA: Awaited<ReturnType<typeof createSite>>;
  let siteB: Awaited<ReturnType<typeof createSite>>;
  let visitorA: Visitor;
  let visitorB: Visitor;
  /** Strings of B's that must never appear in anything A receives. */
  let secretsOfB: string[];

  beforeAll(async () => {
    h = await createHarness(dialect);
    a = await signUpOwner(h);
    b = await signUpOwner(h);
    siteA = await createSite(h, a.cookie, { name: "Site of A" });
    siteB = await createSite(h, b.cookie, {
      name: "B-private-site-name",
      bot: { systemPrompt: "B-private-system-prompt", displayName: "B-bot" },
      // The fake's key, so that B's answers come from the fake: a key of B's own that must never leak.
      apiKey: h.fake.apiKey,
    });
    visitorA = await startVisitor(h, siteA.siteKey);
    visitorB = await startVisitor(h, siteB.siteKey);
    h.fake.enqueue({ kind: "answer", text: "B-private-answer" });
    expect((await readSse(await sendMessage(h, visitorB, "B-private-question"))).at(-1)?.event).toBe("done");
    await h.deps.tasks.idle();
    secretsOfB = [
      siteB.id,
      siteB.siteKey,
      "B-private-site-name",
      "B-private-system-prompt",
      "B-private-question",
      "B-private-answer",
      visitorB.conversationId,
      visitorB.visitorId,
      b.ownerId,
      h.fake.apiKey,
    ];
  });
  afterAll(() => h.close());

  const snapshot = async () => ({
    sites: await h.deps.db.selectFrom("sites").selectAll().orderBy("id").execute(),
    conversations: await h.deps.db.selectFrom("conversations").selectAll().orderBy("id").execute(),
    messages: await h.deps.db.selectFrom("messages").selectAll().orderBy("id").execute(),
  });

  async function expectNotFoundWithoutLeak(res: Response) {
    const text = await res.clone().text();
    for (const s of secretsOfB) expect(text).not.toContain(s);
    await expectError(res, 404, "not_found");
  }

  describe("owner A and owner B's sites", () => {
    it("A's list has only A's sites", async () => {
      const res = await h.request("/api/sites", { headers: { cookie: a.cookie } });
      expect(res.status).toBe(200);
      const text = await res.text();
      for (const s of secretsOfB) expect(text).not.toContain(s);
      expect((JSON.parse(text) as { sites: Array<{ id: string }> }).sites.map((s) => s.id)).toEqual([siteA.id]);
    });

    it("A cannot read, patch or delete B's site: 404 as if it did not exist, and B's site is unchanged", async () => {
      const before = await snapshot();
      const url = `/api/sites/${siteB.id}`;
      await expectNotFoundWithoutLeak(await h.request(url, { headers: { cookie: a.cookie } }));
      await expectNotFoundWithoutLeak(
        await h.request(url, {
          ...json({ name: "Taken over", allowedOrigins: ["https://evil.example"], apiKey: null }, { cookie: a.cookie }),
          method: "PATCH",
        }),
      );
      await expectNotFoundWithoutLeak(
        await h.request(url, { ...json({ bot: { systemPrompt: "Leak everything" } }, { cookie: a.cookie }), method: "PATCH" }),
      );
      await expectNotFoundWithoutLeak(await h.request(url, { method: "DELETE", headers: { cookie: a.cookie } }));
      expect(await snapshot()).toEqual(before);

      // The same answer as for a site that does not exist at all: nothing tells A that B's exists.
      const missing = await h.request("/api/sites/site_doesNotExist0000000000", { headers: { cookie: a.cookie } });
      const forB = await h.request(url, { headers: { cookie: a.cookie } });
      expect(await forB.json()).toEqual(await missing.json());

      // B still sees and controls it.
      const own = await h.request(url, { headers: { cookie: b.cookie } });
      expect(own.status).toBe(200);
      expect(((await own.json()) as { site: { name: string } }).site.name).toBe("B-private-site-name");
    });

    it("A cannot list or read B's conversations, neither through B's site nor through A's own", async () => {
      await expectNotFoundWithoutLeak(await h.request(`/api/sites/${siteB.id}/conversations`, { headers: { cookie: a.cookie } }));
      await expectNotFoundWithoutLeak(
        await h.request(`/api/sites/${siteB.id}/conversations?q=B-private`, { headers: { cookie: a.cookie } }),
      );
      await expectNotFoundWithoutLeak(
        await h.request(`/api/sites/${siteB.id}/conversations/${visitorB.conversationId}`, { headers: { cookie: a.cookie } }),
      );
      await expectNotFoundWithoutLeak(
        await h.request(`/api/sites/${siteA.id}/conversations/${visitorB.conversationId}`, { headers: { cookie: a.cookie } }),
      );

      const own = await h.request(`/api/sites/${siteA.id}/conversations?q=B-private`, { headers: { cookie: a.cookie } });
      expect(own.status).toBe(200);
      expect(await own.json()).toEqual({ conversations: [], nextCursor: null });

      // B reads them (the requests above would have found them had they been allowed).
      const forB = await h.request(`/api/sites/${siteB.id}/conversations/${visitorB.conversationId}`, { headers: { cookie: b.cookie } });
      expect(forB.status).toBe(200);
      expect(await forB.text()).toContain("B-private-answer");
    });
  });

  describe("visitors", () => {
    it("a visitor token of site A is refused on site B's conversations, and nothing is written", async () => {
      const before = await snapshot();
      // Same Origin header as B's allowed one, so only the token's scope can refuse it.
      const headers = { ...visitorA.headers, origin: SITE_ORIGIN };
      await expectNotFoundWithoutLeak(await h.request(`/v1/conversations/${visitorB.conversationId}/messages`, { headers }));
      await expectNotFoundWithoutLeak(await sendMessage(h, { conversationId: visitorB.conversationId, headers }, "let me in"));
      const list = await h.request("/v1/conversations", { headers });
      expect(list.status).toBe(200);
      const listed = (await list.json()) as { conversations: Array<{ id: string }> };
      expect(listed.conversations.map((c) => c.id)).toEqual([visitorA.conversationId]);
      expect(await snapshot()).toEqual(before);
      expect(h.fake.requests.filter((r) => JSON.stringify(r.body).includes("let me in"))).toEqual([]);
    });

    it("a visitor token of site A cannot start or resume a session on site B", async () => {
      const res = await h.request(`/v1/widget/${siteB.siteKey}/sessions`, { method: "POST", headers: visitorA.headers });
      expect(res.status).toBe(201);
      const session = (await res.json()) as { visitorId: string };
      // A new visitor of B, not visitor A carried over.
      expect(session.visitorId).not.toBe(visitorA.visitorId);
      const row = await h.deps.db.selectFrom("visitors").selectAll().where("id", "=", session.visitorId).executeTakeFirstOrThrow();
      expect(row.site_id).toBe(siteB.id);
    });

    it("visitor X cannot read or write visitor Y's conversation on the same site (404)", async () => {
      const x = await startVisitor(h, siteB.siteKey);
      const before = await snapshot();
      await expectNotFoundWithoutLeak(await h.request(`/v1/conversations/${visitorB.conversationId}/messages`, { headers: x.headers }));
      await expectNotFoundWithoutLeak(await sendMessage(h, { conversationId: visitorB.conversationId, headers: x.headers }, "hijack"));
      const list = await h.request("/v1/conversations", { headers: x.headers });
      const listed = (await list.json()) as { conversations: Array<{ id: string }> };
      expect(listed.conversations.map((c) => c.id)).toEqual([x.conversationId]);
      expect(await snapshot()).toEqual(before);

      // Y still reads its own.
      const own = await h.request(`/v1/conversations/${visitorB.conversationId}/messages`, { headers: visitorB.headers });
      expect(own.status).toBe(200);
      expect(await own.text()).toContain("B-private-answer");
    });

    it("a visitor token is no owner session, and B's public widget config shows nothing private", async () => {
      await expectError(
        await h.request(`/api/sites/${siteB.id}/conversations`, { headers: { cookie: `bc_session=${visitorB.token}` } }),
        401,
        "unauthorized",
      );
      const config = await h.request(`/v1/widget/${siteB.siteKey}/config`, { headers: { origin: SITE_ORIGIN } });
      expect(config.status).toBe(200);
      const text = await config.text();
      for (const s of ["B-private-system-prompt", h.fake.apiKey, siteB.id, b.ownerId]) expect(text).not.toContain(s);
    });
  });
});
