import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Keyring } from "../src/security/keyring.js";
import { seal } from "../src/security/secret-box.js";
import { DIALECTS } from "./support/databases.js";
import { createHarness, createSite, type Harness, json, readSse, sendMessage, signUpOwner, startVisitor } from "./support/harness.js";

// Regressions: stored data that today's code cannot take must never turn a request into a 500.
describe.each(DIALECTS)("stored data that no longer fits (%s)", (dialect) => {
  let h: Harness;
  let cookie: string;

  beforeAll(async () => {
    h = await createHarness(dialect);
    ({ cookie } = await signUpOwner(h));
  });
  afterEach(() => h.fake.reset());
  afterAll(() => h.close());

  /** Rewrites a stored site as an older release (or another secret) left it; the cache is emptied as a restart would. */
  async function storeRaw(
    siteId: string,
    columns: Partial<{ bot: string; limits: string | null; allowed_origins: string; api_key_enc: string }>,
  ) {
    await h.deps.db.updateTable("sites").set(columns).where("id", "=", siteId).execute();
    await h.deps.storage.clear();
  }
  const ownerSites = async () => {
    const res = await h.request("/api/sites", { headers: { cookie } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { sites: Array<Record<string, any>> }).sites;
  };

  describe("settings outside today's schema", () => {
    it("are read field by field: the widget, chat and the owner's list work, and the owner is told which fields were reset", async () => {
      const site = await createSite(h, cookie, { bot: { displayName: "Tea helper", language: "en", maxOutputTokens: 500 } });
      const bot = JSON.parse((await h.deps.db.selectFrom("sites").select("bot").where("id", "=", site.id).executeTakeFirstOrThrow()).bot);
      await storeRaw(site.id, {
        bot: JSON.stringify({ ...bot, model: "qwen-long-gone", maxOutputTokens: 100_000 }),
        limits: JSON.stringify({ visitorMessagesPerMinute: 50, monthlyTokens: -1 }),
        allowed_origins: JSON.stringify(["https://shop.example", "ftp://not-an-origin"]),
      });

      const config = await h.request(`/v1/widget/${site.siteKey}/config`, { headers: { origin: "https://shop.example" } });
      expect(config.status).toBe(200);
      expect(await config.json()).toMatchObject({ displayName: "Tea helper", language: "en" });

      const visitor = await startVisitor(h, site.siteKey);
      const events = await readSse(await sendMessage(h, visitor, "Hello?"));
      expect(events.at(-1)).toMatchObject({ event: "done", data: { status: "complete" } });
      // The model is called with the defaults of the reset fields, the valid ones as stored.
      const [call] = h.fake.requests.filter((r) => r.path.endsWith("/chat/completions"));
      expect(call.body).toMatchObject({ model: "qwen-flash", max_tokens: 1024 });

      const listed = (await ownerSites()).find((s) => s.id === site.id)!;
      expect(listed.bot).toMatchObject({ displayName: "Tea helper", model: "qwen-flash", maxOutputTokens: 1024 });
      expect(listed.limits).toMatchObject({ visitorMessagesPerMinute: 50, monthlyTokens: 5_000_000 });
      expect(listed.allowedOrigins).toEqual(["https://shop.example"]);
      expect(listed.resetFields.map((f: { field: string }) => f.field).sort()).toEqual([
        "allowedOrigins",
        "bot.maxOutputTokens",
        "bot.model",
        "limits.monthlyTokens",
      ]);
      for (const reset of listed.resetFields) expect(reset.message).toMatch(/\w/);
      const single = await h.request(`/api/sites/${site.id}`, { headers: { cookie } });
      expect(((await single.json()) as { site: { resetFields: unknown[] } }).site.resetFields).toHaveLength(4);
    });

    it("saving the settings writes the repaired values, and the notice goes", async () => {
      const site = await createSite(h, cookie);
      await storeRaw(site.id, { bot: JSON.stringify({ model: "qwen-long-gone", temperature: 7 }) });
      expect((await ownerSites()).find((s) => s.id === site.id)!.resetFields).toHaveLength(2);

      const res = await h.request(`/api/sites/${site.id}`, { ...json({ bot: { displayName: "Fixed" } }, { cookie }), method: "PATCH" });
      expect(res.status).toBe(200);
      const { site: saved } = (await res.json()) as { site: Record<string, any> };
      expect(saved.resetFields).toEqual([]);
      expect(saved.bot).toMatchObject({ displayName: "Fixed", model: "qwen-flash", temperature: 0.7 });
      const stored = await h.deps.db.selectFrom("sites").select("bot").where("id", "=", site.id).executeTakeFirstOrThrow();
      expect(JSON.parse(stored.bot)).toMatchObject({ model: "qwen-flash", temperature: 0.7, displayName: "Fixed" });
    });

    it("a column that is not JSON at all falls back to the defaults instead of failing", async () => {
      const site = await createSite(h, cookie);
      await storeRaw(site.id, { bot: "{not json", limits: "[]" });
      const listed = (await ownerSites()).find((s) => s.id === site.id)!;
      expect(listed.resetFields.map((f: { field: string }) => f.field)).toEqual(["bot", "limits"]);
      expect(listed.bot.model).toBe("qwen-flash");
      const config = await h.request(`/v1/widget/${site.siteKey}/config`, { headers: { origin: "https://shop.example" } });
      expect(config.status).toBe(200);
    });
  });

  describe("a site key that cannot be decrypted", () => {
    it("the visitor gets the usual error event in the bot's language; the answer is stored as error with an api_calls row saying why; the owner is told", async () => {
      const site = await createSite(h, cookie, { bot: { language: "zh-CN" }, apiKey: "sk-site-own-key-0001" });
      // As after APP_SECRET changed without APP_SECRET_PREVIOUS: sealed with a secret this server does not know.
      const foreign = seal(new Keyring(["another-secret-0123456789-abcdefghijklmnopqrstuvwxyz"]), "sk-site-own-key-0001");
      await storeRaw(site.id, { api_key_enc: foreign });

      const visitor = await startVisitor(h, site.siteKey);
      const res = await sendMessage(h, visitor, "你好");
      expect(res.status).toBe(200);
      const events = await readSse(res);
      expect(events.map((e) => e.event)).toEqual(["start", "error"]);
      const error = events[1].data;
      expect(error).toMatchObject({ code: "site_key_unusable", status: "error", messageId: expect.any(String) });
      expect(error.message).toMatch(/[\u4e00-\u9fff]/);
      expect(h.fake.requests).toEqual([]);

      const messages = await h.deps.db
        .selectFrom("messages")
        .select(["role", "status", "error_code", "content"])
        .where("conversation_id", "=", visitor.conversationId)
        .orderBy("seq")
        .execute();
      expect(messages).toEqual([
        { role: "user", status: "complete", error_code: null, content: "你好" },
        { role: "assistant", status: "error", error_code: "site_key_unusable", content: "" },
      ]);
      const calls = await h.deps.db.selectFrom("api_calls").selectAll().where("conversation_id", "=", visitor.conversationId).execute();
      expect(calls).toEqual([expect.objectContaining({ outcome: "error", error_code: "site_key_unusable", message_id: error.messageId })]);
      // Nothing is left running for the stream (its heartbeat) or the answer.
      expect(await h.deps.tasks.idle(1_000)).toBe(true);

      const listed = (await ownerSites()).find((s) => s.id === site.id)!;
      expect(listed.apiKey).toEqual({ set: true, last4: "0001", usable: false });

      // Entering the key again makes the site answer.
      const patched = await h.request(`/api/sites/${site.id}`, {
        ...json({ apiKey: "sk-site-own-key-0002" }, { cookie }),
        method: "PATCH",
      });
      expect(((await patched.json()) as { site: { apiKey: unknown } }).site.apiKey).toEqual({ set: true, last4: "0002", usable: true });
    });
  });
});
