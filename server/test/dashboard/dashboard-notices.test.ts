// @vitest-environment node
import { describe, expect, it } from "vitest";
import { STRINGS } from "../../dashboard/src/i18n/strings.js";
import { resetFieldLabel } from "../../dashboard/src/pages/site-notices.js";
import { DEFAULT_BOT, DEFAULT_LIMITS } from "../../src/features/sites/sites.schemas.js";
import { Keyring } from "../../src/security/keyring.js";
import { seal } from "../../src/security/secret-box.js";
import { dashboardFixture } from "./fixture.js";
import { button, click, field, heading, text, type, waitFor } from "./support.js";

type ResetField = { field: string; message: string };
type OwnerSite = {
  bot: Record<string, unknown>;
  resetFields: ResetField[];
  apiKey: { set: boolean; last4: string | null; usable: boolean };
};

/**
 * What the owner is told when the server could not use what it had stored for the site: settings
 * that today's schema refuses (read as their defaults), and a site key it can no longer decrypt.
 * The site's row is changed in the database directly, as an older release or another APP_SECRET
 * would have left it.
 */
describe("the dashboard: notices about the site's stored state", () => {
  const f = dashboardFixture();

  const row = () => f.h.deps.db.selectFrom("sites").selectAll().where("id", "=", f.site.id).executeTakeFirstOrThrow();
  const setRow = (values: { bot?: string; limits?: string | null; api_key_enc?: string | null; api_key_last4?: string | null }) =>
    f.h.deps.db.updateTable("sites").set(values).where("id", "=", f.site.id).execute();
  const ownerSite = async () =>
    ((await (await f.h.request(`/api/sites/${f.site.id}`, { headers: { cookie: f.ownerA.cookie } })).json()) as { site: OwnerSite }).site;
  const resetNotice = () => document.querySelector<HTMLElement>(".settings-form [role=status].notice--warn");
  const keyNotices = () =>
    [...document.querySelectorAll<HTMLElement>("[role=alert]")].filter((el) => text(el).includes("can no longer be read"));

  it("names each setting the server reset to its default, by its label, with the reason; saving keeps the defaults", async () => {
    const before = await row();
    const bot = (await ownerSite()).bot;
    try {
      // Nothing to say while all is well.
      f.signedIn(f.ownerA, `/sites/${f.site.id}/settings`);
      await waitFor(() => expect(heading()).toBe("Bot settings"));
      expect(resetNotice()).toBeNull();

      // A model a later release no longer offers, and a quota below today's minimum.
      await setRow({ bot: JSON.stringify({ ...bot, model: "qwen-removed" }), limits: JSON.stringify({ monthlyTokens: 0 }) });
      const stored = await ownerSite();
      expect(stored.resetFields.map((r) => r.field).sort()).toEqual(["bot.model", "limits.monthlyTokens"]);
      const reason = (path: string) => stored.resetFields.find((r) => r.field === path)!.message;
      expect(reason("bot.model")).not.toBe("");

      const page = f.signedIn(f.ownerA, `/sites/${f.site.id}/settings`);
      await waitFor(() => expect(resetNotice()).not.toBeNull());
      expect(text(resetNotice()!.querySelector("strong"))).toBe("Some saved settings were reset to their defaults");
      expect([...resetNotice()!.querySelectorAll("li")].map(text).sort()).toEqual(
        [`Model: ${reason("bot.model")}`, `Tokens per month: ${reason("limits.monthlyTokens")}`].sort(),
      );
      expect(text(resetNotice())).toContain(
        "their defaults are in use now. Saving the settings keeps the defaults; you can change them first.",
      );
      // The form shows the defaults in use.
      expect(field<HTMLSelectElement>("Model").value).toBe(DEFAULT_BOT.model);
      expect(field("Tokens per month").value).toBe(String(DEFAULT_LIMITS.monthlyTokens));
      expect(text(document.querySelector(".save-bar__state"))).toBe("Defaults in use, not saved yet");

      // In Chinese, by the Chinese labels.
      await click(button("中文"));
      await waitFor(() => expect(heading()).toBe("机器人设置"));
      expect([...resetNotice()!.querySelectorAll("li")].map(text).sort()).toEqual(
        [`模型：${reason("bot.model")}`, `每月 token 数：${reason("limits.monthlyTokens")}`].sort(),
      );
      await click(button("English"));
      await waitFor(() => expect(heading()).toBe("Bot settings"));

      // Saving writes the defaults, with nothing typed: the notice goes, and the server has nothing left to say.
      await click(button("Save changes"));
      await waitFor(() => expect(text(document.querySelector(".save-bar .notice"))).toBe("Settings saved."));
      expect(page.calls.filter((c) => c.method === "PATCH").map((c) => c.body)).toEqual([
        { bot: { ...bot, model: DEFAULT_BOT.model }, limits: DEFAULT_LIMITS },
      ]);
      expect(resetNotice()).toBeNull();
      expect(text(document.querySelector(".save-bar__state"))).toBe("All changes saved");
      expect((await ownerSite()).resetFields).toEqual([]);
    } finally {
      await setRow({ bot: before.bot, limits: before.limits });
    }
  });

  it("says a site key that can no longer be read on every page of the site, links to the key page, and ends once it is entered again", async () => {
    const before = await row();
    try {
      f.signedIn(f.ownerA, `/sites/${f.site.id}/conversations`);
      await waitFor(() => expect(heading()).toBe("Conversations"));
      expect(keyNotices()).toEqual([]);

      // Sealed under another APP_SECRET: the server cannot open it.
      await setRow({
        api_key_enc: seal(new Keyring(["a-secret-this-server-never-had-0123456789"]), "sk-old-key-abcd"),
        api_key_last4: "abcd",
      });
      expect((await ownerSite()).apiKey).toEqual({ set: true, last4: "abcd", usable: false });

      const page = f.signedIn(f.ownerA, `/sites/${f.site.id}/conversations`);
      await waitFor(() => expect(keyNotices()).toHaveLength(1));
      const notice =
        "The API key stored for this site can no longer be read: the server's secret has changed. Until you enter the key again, visitors get an error instead of an answer.";
      expect(text(keyNotices()[0])).toBe(`${notice} Enter the key again`);
      expect(document.querySelector(".site__head")!.contains(keyNotices()[0])).toBe(true);
      for (const tab of ["Bot settings", "Usage"]) {
        await click(button(tab));
        await waitFor(() => expect(heading()).toBe(tab));
        expect(keyNotices()).toHaveLength(1);
      }

      // The link leads to the key page, which says it once, beside the form.
      await click(button("Enter the key again"));
      await waitFor(() => expect(heading()).toBe("DashScope API key"));
      expect(keyNotices().map(text)).toEqual([`${notice} Enter it again below.`]);

      await type(field("Replacement API key"), "sk-new-key-after-rotation-4321");
      await click(button("Save key"));
      await waitFor(() => expect(text(document.getElementById("key-status"))).toBe("● This site uses its own key, ending in ••••4321."));
      expect(keyNotices()).toEqual([]);
      expect(page.calls.filter((c) => c.method === "PATCH").map((c) => c.body)).toEqual([{ apiKey: "sk-new-key-after-rotation-4321" }]);
      expect((await ownerSite()).apiKey).toEqual({ set: true, last4: "4321", usable: true });
      await click(button("Bot settings"));
      await waitFor(() => expect(heading()).toBe("Bot settings"));
      expect(keyNotices()).toEqual([]);
    } finally {
      await setRow({ api_key_enc: before.api_key_enc, api_key_last4: before.api_key_last4 });
    }
  });

  it("names a reset field by the label of the form that edits it, or by its path when no form does", () => {
    const en = STRINGS.en;
    const zh = STRINGS["zh-CN"];
    expect(resetFieldLabel(en, "bot.maxOutputTokens")).toBe("Longest answer (tokens)");
    expect(resetFieldLabel(en, "bot.suggestedQuestions.1")).toBe("Question 2");
    expect(resetFieldLabel(en, "limits.monthlyTokens")).toBe("Tokens per month");
    expect(resetFieldLabel(en, "allowedOrigins")).toBe("Allowed origins");
    expect(resetFieldLabel(en, "name")).toBe("Site name");
    expect(resetFieldLabel(en, "bot")).toBe("Bot settings");
    expect(resetFieldLabel(en, "limits")).toBe("Limits and monthly quota");
    expect(resetFieldLabel(zh, "bot.model")).toBe("模型");
    expect(resetFieldLabel(en, "bot.somethingNew")).toBe("bot.somethingNew");
    expect(resetFieldLabel(en, "widget.theme")).toBe("widget.theme");
  });
});
