import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_BOT } from "../src/features/sites/sites.schemas.js";
import { DEFAULT_MEDIA } from "../src/features/media/media.settings.js";
import { DEFAULT_HANDOFF } from "../src/features/handoff/handoff.settings.js";
import { QWEN_MODELS } from "../src/llm/models.js";
import { DEFAULT_LIMITS } from "../src/features/sites/sites.schemas.js";
import { DIALECTS } from "./support/databases.js";
import { type Harness, SITE_ORIGIN, createHarness, json, readSse, sendMessage, signUpOwner, startVisitor } from "./support/harness.js";
import { expectError } from "./support/expect-error.js";

interface SiteJson {
  id: string;
  siteKey: string;
  name: string;
  allowedOrigins: string[];
  bot: Record<string, unknown>;
  apiKey: { set: boolean; last4: string | null; usable: boolean };
  createdAt: string;
  updatedAt: string;
}

const OWN_KEY = "sk-site-own-key-4f2b9c71WXYZ";

describe.each(DIALECTS)("an owner's sites (%s)", (dialect) => {
  let h: Harness;
  let cookie: string;
  let ownerId: string;
  beforeAll(async () => {
    h = await createHarness(dialect);
    ({ cookie, ownerId } = await signUpOwner(h));
  });
  afterEach(() => {
    h.deps.now = () => Date.now();
  });
  afterAll(() => h.close());

  const post = (body: unknown) => h.request("/api/sites", json(body, { cookie }));
  const patch = (id: string, body: unknown) => h.request(`/api/sites/${id}`, { ...json(body, { cookie }), method: "PATCH" });
  const get = (id: string) => h.request(`/api/sites/${id}`, { headers: { cookie } });
  const del = (id: string) => h.request(`/api/sites/${id}`, { method: "DELETE", headers: { cookie } });
  const list = async () => {
    const res = await h.request("/api/sites", { headers: { cookie } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { sites: SiteJson[] }).sites;
  };
  async function create(body: Record<string, unknown> = {}): Promise<SiteJson> {
    const res = await post({ name: "Shop", allowedOrigins: [SITE_ORIGIN], ...body });
    expect(res.status).toBe(201);
    return ((await res.json()) as { site: SiteJson }).site;
  }
  async function okPatch(id: string, body: unknown): Promise<SiteJson> {
    const res = await patch(id, body);
    expect({ status: res.status, body: res.status === 200 ? null : await res.clone().text() }).toEqual({ status: 200, body: null });
    return ((await res.json()) as { site: SiteJson }).site;
  }
  const row = (id: string) => h.deps.db.selectFrom("sites").selectAll().where("id", "=", id).executeTakeFirst();

  describe("create", () => {
    it("answers 201 with every default filled in, and stores the site for this owner", async () => {
      const res = await post({ name: "  My shop  " });
      expect(res.status).toBe(201);
      const { site } = (await res.json()) as { site: SiteJson };
      expect(site).toEqual({
        id: expect.any(String),
        role: "owner",
        siteKey: expect.any(String),
        name: "My shop",
        allowedOrigins: [],
        bot: DEFAULT_BOT,
        limits: DEFAULT_LIMITS,
        handoff: DEFAULT_HANDOFF,
        media: DEFAULT_MEDIA,
        apiKey: { set: false, last4: null, usable: true },
        resetFields: [],
        suspended: false,
        createdAt: expect.any(String),
        updatedAt: site.createdAt,
      });
      expect(Number.isNaN(Date.parse(site.createdAt))).toBe(false);
      const stored = await row(site.id);
      expect(stored).toMatchObject({ owner_id: ownerId, site_key: site.siteKey, name: "My shop", api_key_enc: null });
      expect(JSON.parse(stored!.bot)).toEqual(DEFAULT_BOT);
    });

    it("fills the bot fields not given from the defaults", async () => {
      const site = await create({ bot: { displayName: "小助手", temperature: 0.2 } });
      expect(site.bot).toEqual({ ...DEFAULT_BOT, displayName: "小助手", temperature: 0.2 });
    });

    it("gives random, distinct ids and site keys: a prefix and at least 20 base64url characters", async () => {
      const sites = await Promise.all(Array.from({ length: 6 }, () => create()));
      for (const site of sites) {
        expect(site.id).toMatch(/^[a-z]+_[A-Za-z0-9_-]{20,}$/);
        expect(site.siteKey).toMatch(/^[a-z]+_[A-Za-z0-9_-]{20,}$/);
        expect(site.siteKey).not.toBe(site.id);
      }
      const all = sites.flatMap((s) => [s.id, s.siteKey]);
      expect(new Set(all).size).toBe(all.length);
      // The random parts differ everywhere, not only in a counter at the end.
      const tails = sites.map((s) => s.siteKey.split("_").slice(1).join("_"));
      expect(new Set(tails.map((t) => t.slice(0, 8))).size).toBe(tails.length);
    });

    it("refuses a missing or empty name with 400 invalid_body and writes nothing", async () => {
      const before = (await list()).length;
      const missing = await expectError(await post({ allowedOrigins: [] }), 400, "invalid_body");
      expect(missing.error.issues?.map((i) => i.path)).toContain("name");
      const empty = await expectError(await post({ name: "   " }), 400, "invalid_body");
      expect(empty.error.issues?.map((i) => i.path)).toContain("name");
      expect((await list()).length).toBe(before);
    });

    // Regression: create used to drop unknown fields in `bot` silently (201) while patch refused them.
    it("refuses a misspelt or unknown field, in bot or beside it, with 400 invalid_body naming it, as patch does", async () => {
      const before = (await list()).length;
      const misspelt = await expectError(await post({ name: "Shop", bot: { nmae: "Helper" } }), 400, "invalid_body");
      expect(misspelt.error.issues).toEqual([expect.objectContaining({ path: "bot", message: expect.stringContaining("nmae") })]);
      const beside = await expectError(await post({ name: "Shop", colour: "#000000" }), 400, "invalid_body");
      expect(beside.error.issues).toEqual([expect.objectContaining({ message: expect.stringContaining("colour") })]);
      expect((await list()).length).toBe(before);
    });
  });

  describe("list and get", () => {
    it("lists the owner's sites oldest first, each as GET shows it", async () => {
      const { cookie: other } = await signUpOwner(h);
      // Distinct creation times, so that "oldest first" is decided by them alone.
      h.deps.now = () => Date.parse("2026-01-01T00:00:00Z");
      const a = await create({ name: "List A" });
      h.deps.now = () => Date.parse("2026-01-02T00:00:00Z");
      const b = await create({ name: "List B" });
      h.deps.now = () => Date.now();
      expect(a.createdAt).toBe("2026-01-01T00:00:00.000Z");
      const sites = await list();
      const ids = sites.map((s) => s.id);
      expect(ids.indexOf(a.id)).toBeGreaterThanOrEqual(0);
      expect(ids.indexOf(a.id)).toBeLessThan(ids.indexOf(b.id));
      expect(sites.find((s) => s.id === b.id)).toEqual(b);

      const res = await get(a.id);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ site: a });

      // A new owner starts with none.
      const empty = await h.request("/api/sites", { headers: { cookie: other } });
      expect(await empty.json()).toEqual({ sites: [] });
    });

    it("answers 404 not_found for an unknown site id", async () => {
      await expectError(await get("site_doesNotExist0000000000"), 404, "not_found");
    });
  });

  describe("patch", () => {
    it("merges bot settings field by field and keeps everything not named", async () => {
      const site = await create({ name: "Before", bot: { displayName: "Bot", welcomeMessage: "Hi" } });
      const first = await okPatch(site.id, { bot: { primaryColor: "#112233" } });
      expect(first.bot).toEqual({ ...site.bot, primaryColor: "#112233" });
      expect(first.name).toBe("Before");
      expect(first.allowedOrigins).toEqual(site.allowedOrigins);

      const second = await okPatch(site.id, {
        name: "After",
        bot: { temperature: 1.2, suggestedQuestions: ["运费多少？", "How to return?"] },
      });
      expect(second.bot).toEqual({
        ...site.bot,
        primaryColor: "#112233",
        temperature: 1.2,
        suggestedQuestions: ["运费多少？", "How to return?"],
      });
      expect(second.name).toBe("After");
      expect(second.id).toBe(site.id);
      expect(second.siteKey).toBe(site.siteKey);
      expect(second.createdAt).toBe(site.createdAt);
      expect(Date.parse(second.updatedAt)).toBeGreaterThanOrEqual(Date.parse(site.updatedAt));

      // What PATCH answered is what is stored.
      expect(await (await get(site.id)).json()).toEqual({ site: second });
      expect(JSON.parse((await row(site.id))!.bot)).toEqual(second.bot);
    });

    it("an empty patch changes nothing; an unknown field is refused", async () => {
      const site = await create();
      const same = await okPatch(site.id, {});
      expect({ ...same, updatedAt: site.updatedAt }).toEqual(site);
      const bad = await expectError(await patch(site.id, { owner_id: "own_someone_else" }), 400, "invalid_body");
      expect(bad.error.issues?.length).toBeGreaterThan(0);
      const badBot = await expectError(await patch(site.id, { bot: { displayName: "ok", colour: "#000000" } }), 400, "invalid_body");
      expect(badBot.error.issues?.length).toBeGreaterThan(0);
      expect(await (await get(site.id)).json()).toEqual({ site: { ...site, updatedAt: same.updatedAt } });
    });

    const longText = (n: number) => "字".repeat(n);
    const cases: Array<{ field: string; ok: unknown[]; bad: unknown[] }> = [
      {
        field: "primaryColor",
        ok: ["#4F46E5", "#000000", "#abcdef"],
        bad: ["#abc", "red", "#4f46e5ff", "#4f46eg", "4f46e5", "", null, 0x4f46e5],
      },
      { field: "temperature", ok: [0, 0.5, 1.5, 1.99, 1.999], bad: [2, 2.5, -0.1, "0.5", null] },
      { field: "maxOutputTokens", ok: [1, 1024, 8192], bad: [0, -1, 8193, 1.5, "100", null] },
      { field: "model", ok: [...QWEN_MODELS], bad: ["gpt-4o", "QWEN-PLUS", "", null, 1] },
      { field: "language", ok: ["en", "zh-CN"], bad: ["fr", "zh", "EN", "", null] },
      {
        field: "suggestedQuestions",
        ok: [[], ["a"], ["1", "2", "3", "4", "5", "6"], [longText(120)]],
        bad: [["1", "2", "3", "4", "5", "6", "7"], [""], ["   "], [longText(121)], "one question", [1], null],
      },
      {
        field: "avatarUrl",
        ok: ["https://cdn.example.com/a.png", "http://img.example/b.jpg?x=1", null],
        bad: [
          "javascript:alert(1)",
          "JAVASCRIPT:alert(document.cookie)",
          "data:image/png;base64,iVBORw0KGgo=",
          "ftp://files.example/a.png",
          "//cdn.example.com/a.png",
          "/avatar.png",
          "not a url",
          `https://cdn.example.com/${"a".repeat(500)}.png`,
          "",
          42,
        ],
      },
      { field: "displayName", ok: ["A", "客服小美", longText(60)], bad: ["", "   ", longText(61), null, 5] },
      { field: "welcomeMessage", ok: ["", longText(500)], bad: [longText(501), null] },
      { field: "systemPrompt", ok: ["", longText(8000)], bad: [longText(8001), null] },
    ];

    it.each(cases)("validates bot.$field within its bounds and leaves the site unchanged when refused", async ({ field, ok, bad }) => {
      const site = await create();
      let current = site;
      for (const value of ok) {
        const updated = await okPatch(site.id, { bot: { [field]: value } });
        expect(updated.bot[field]).toEqual(typeof value === "string" ? value.trim() : value);
        current = updated;
      }
      for (const value of bad) {
        const res = await patch(site.id, { bot: { [field]: value } });
        const body = await expectError(res, 400, "invalid_body");
        expect(
          body.error.issues?.some((i) => i.path === `bot.${field}` || i.path.startsWith(`bot.${field}.`)),
          JSON.stringify({ value, body }),
        ).toBe(true);
      }
      const after = ((await (await get(site.id)).json()) as { site: SiteJson }).site;
      expect(after).toEqual(current);
      // The same bounds hold at creation.
      for (const value of bad) {
        await expectError(await post({ name: "x", bot: { [field]: value } }), 400, "invalid_body");
      }
    });

    it("normalises allowedOrigins to origins (case, default port, trailing slash, duplicates) and the widget honours them", async () => {
      const site = await okPatch((await create()).id, {
        allowedOrigins: [
          "https://Shop.Example.COM/",
          "http://localhost:5173",
          "https://a.example:443",
          " https://*.Brand.Example ",
          "https://shop.example.com",
        ],
      });
      expect(site.allowedOrigins).toEqual([
        "https://shop.example.com",
        "http://localhost:5173",
        "https://a.example",
        "https://*.brand.example",
      ]);

      const config = (origin: string) => h.request(`/v1/widget/${site.siteKey}/config`, { headers: { origin } });
      for (const origin of ["https://shop.example.com", "http://localhost:5173", "https://a.example", "https://eu.brand.example"]) {
        const res = await config(origin);
        expect(res.status, origin).toBe(200);
        expect(res.headers.get("access-control-allow-origin")).toBe(origin);
        expect(res.headers.get("vary")).toBe("Origin");
      }
      for (const origin of [
        "https://evil.example",
        "http://shop.example.com",
        "https://brand.example.evil.com",
        "https://evilbrand.example",
      ]) {
        const refused = await config(origin);
        expect(refused.headers.get("vary")).toBe("Origin");
        await expectError(refused, 403, "origin_not_allowed");
      }
      // Regression (issue 11): the cacheable config without an Origin did not vary on it, so a
      // shared cache could hand that answer (no CORS headers) to a page, or a page's to anyone.
      // Without an Origin it is now refused (origin_required), and that refusal varies on it too.
      const bare = await h.request(`/v1/widget/${site.siteKey}/config`);
      expect(bare.headers.get("vary")).toBe("Origin");
      expect(bare.headers.get("access-control-allow-origin")).toBeNull();
      await expectError(bare, 403, "origin_required");
    });

    it("refuses anything in allowedOrigins that is not an origin (paths, queries, other schemes) and keeps the old list", async () => {
      const site = await create({ allowedOrigins: ["https://keep.example"] });
      for (const value of [
        "https://shop.example.com/path",
        "https://shop.example.com/?q=1",
        "https://shop.example.com/#top",
        "https://user:pw@shop.example.com",
        "ftp://shop.example.com",
        "javascript:alert(1)",
        "shop.example.com",
        "*",
        "",
      ]) {
        const body = await expectError(await patch(site.id, { allowedOrigins: ["https://ok.example", value] }), 400, "invalid_body");
        expect(
          body.error.issues?.map((i) => i.path),
          value,
        ).toEqual(["allowedOrigins.1"]);
      }
      expect(((await (await get(site.id)).json()) as { site: SiteJson }).site.allowedOrigins).toEqual(["https://keep.example"]);
      await expectError(await post({ name: "x", allowedOrigins: ["https://shop.example.com/shop"] }), 400, "invalid_body");
    });

    it("answers 404 for an unknown site", async () => {
      await expectError(await patch("site_doesNotExist0000000000", { name: "x" }), 404, "not_found");
    });
  });

  describe("delete", () => {
    it("answers 204, then 404; the site's visitors, conversations, messages and calls are gone, other sites' untouched", async () => {
      const doomed = await create({ name: "Doomed" });
      const kept = await create({ name: "Kept" });
      for (const site of [doomed, kept]) {
        const visitor = await startVisitor(h, site.siteKey);
        h.fake.enqueue({ kind: "answer", text: `Answer for ${site.name}` });
        const events = await readSse(await sendMessage(h, visitor, "hello"));
        expect(events.at(-1)?.event).toBe("done");
      }
      await h.deps.tasks.idle();
      const count = async (table: "visitors" | "conversations" | "messages" | "api_calls", siteId: string) =>
        (await h.deps.db.selectFrom(table).select("id").where("site_id", "=", siteId).execute()).length;
      for (const table of ["visitors", "conversations", "messages", "api_calls"] as const) {
        expect(await count(table, doomed.id), table).toBeGreaterThan(0);
      }
      const visitor = await startVisitor(h, doomed.siteKey);

      const res = await del(doomed.id);
      expect(res.status).toBe(204);
      expect(await res.text()).toBe("");

      await expectError(await get(doomed.id), 404, "not_found");
      await expectError(await del(doomed.id), 404, "not_found");
      expect((await list()).map((s) => s.id)).not.toContain(doomed.id);
      expect(await row(doomed.id)).toBeUndefined();
      for (const table of ["visitors", "conversations", "messages", "api_calls"] as const) {
        expect(await count(table, doomed.id), table).toBe(0);
        expect(await count(table, kept.id), table).toBeGreaterThan(0);
      }
      // The widget of a deleted site stops working at once.
      await expectError(await h.request(`/v1/widget/${doomed.siteKey}/config`, { headers: { origin: SITE_ORIGIN } }), 404, "not_found");
      await expectError(await sendMessage(h, visitor, "still there?"), 401, "unauthorized");
      expect(await count("messages", doomed.id)).toBe(0);
    });
  });

  describe("the site's own DashScope key is write-only", () => {
    it("is stored encrypted and shown only as {set, last4, usable}", async () => {
      const res = await post({ name: "Keyed", apiKey: OWN_KEY });
      expect(res.status).toBe(201);
      const text = await res.text();
      expect(text).not.toContain(OWN_KEY);
      expect(text).not.toContain(OWN_KEY.slice(0, 12));
      const { site } = JSON.parse(text) as { site: SiteJson };
      expect(site.apiKey).toEqual({ set: true, last4: "WXYZ", usable: true });

      const stored = (await row(site.id))!;
      expect(stored.api_key_enc).toEqual(expect.any(String));
      expect(JSON.stringify(stored)).not.toContain(OWN_KEY);
      expect(JSON.stringify(stored)).not.toContain(OWN_KEY.slice(3, 15));
      expect(stored.api_key_enc).not.toContain(Buffer.from(OWN_KEY).toString("base64url").slice(0, 12));
      expect(stored.api_key_last4).toBe("WXYZ");

      for (const body of [await (await get(site.id)).text(), JSON.stringify(await list())]) {
        expect(body).not.toContain(OWN_KEY);
        expect(body).not.toContain(stored.api_key_enc!);
      }
      // Encrypting the same key twice gives different ciphertexts (random IV).
      const again = await create({ apiKey: OWN_KEY });
      expect((await row(again.id))!.api_key_enc).not.toBe(stored.api_key_enc);
    });

    it("is the key the model is called with; patching it to null removes it and the server's key is used again", async () => {
      const site = await create({ apiKey: OWN_KEY });
      const visitor = await startVisitor(h, site.siteKey);
      h.fake.reset();
      // The fake only accepts the server's key: the site's own key is refused, which is enough to see which key was sent.
      const refused = await readSse(await sendMessage(h, visitor, "hello"));
      expect(refused.at(-1)?.event).toBe("error");
      expect(h.fake.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${OWN_KEY}`]);

      const untouched = await okPatch(site.id, { name: "Renamed" });
      expect(untouched.apiKey).toEqual({ set: true, last4: "WXYZ", usable: true });

      const removed = await okPatch(site.id, { apiKey: null });
      expect(removed.apiKey).toEqual({ set: false, last4: null, usable: true });
      expect(await row(site.id)).toMatchObject({ api_key_enc: null, api_key_last4: null });

      h.fake.reset();
      h.fake.enqueue({ kind: "answer", text: "With the server's key." });
      const answered = await readSse(await sendMessage(h, visitor, "hello again"));
      expect(answered.at(-1)?.event).toBe("done");
      expect(h.fake.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${h.fake.apiKey}`]);

      const replaced = await okPatch(site.id, { apiKey: "sk-another-key-000000ABCD" });
      expect(replaced.apiKey).toEqual({ set: true, last4: "ABCD", usable: true });
      await h.deps.tasks.idle();
    });

    it("refuses a key that cannot be one (too short, spaces, control characters)", async () => {
      const site = await create();
      for (const apiKey of ["short", "sk-has spaces inside", "sk-abc\u0000defghij", 12345678]) {
        const body = await expectError(await patch(site.id, { apiKey }), 400, "invalid_body");
        expect(body.error.issues?.map((i) => i.path)).toEqual(["apiKey"]);
      }
      expect((await row(site.id))!.api_key_enc).toBeNull();
    });
  });
});
