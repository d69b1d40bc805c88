// @vitest-environment node
import { describe, expect, it, vi } from "vitest";
import type { PublicConfig } from "../../dashboard/src/api/types.js";
import { previewFetch } from "../../dashboard/src/preview/preview-fetch.js";
import { PREVIEW_DEBOUNCE_MS } from "../../dashboard/src/preview/preview-frame.js";
import { DEFAULT_LIMITS } from "../../src/features/sites/sites.schemas.js";
import { dashboardFixture } from "./fixture.js";
import { blur, button, choose, click, errorOf, field, heading, text, type, waitFor } from "./support.js";
import { json } from "../support/harness.js";

/**
 * The bot settings form, the live preview's settings reaching the widget, and the install page,
 * against the real server (happy-dom page, Node's fetch for the server).
 */
describe("the dashboard: bot settings, preview and install", () => {
  const f = dashboardFixture();

  describe("bot settings", () => {
    it("checks every field against the server's bounds as the owner types, and saves nothing until they are fixed", async () => {
      const page = f.signedIn(f.ownerA, `/sites/${f.site.id}/settings`);
      await waitFor(() => expect(heading()).toBe("Bot settings"));
      expect(field("Bot name").value).toBe("Tea helper");
      expect(text(document.querySelector(".save-bar__state"))).toBe("All changes saved");

      const cases: Array<[string, string, string]> = [
        ["Bot name", "   ", "Required."],
        ["Bot name", "n".repeat(61), "At most 60 characters."],
        ["Avatar URL", "ftp://cdn.example/a.png", "Use an http(s) address, such as https://example.com/logo.png."],
        ["Colour", "#12", "Use a colour like #4f46e5."],
        ["Welcome message", "w".repeat(501), "At most 500 characters."],
        ["System prompt", "s".repeat(8001), "At most 8000 characters."],
        ["Temperature", "2", "A number from 0 to 1.99."],
        ["Longest answer (tokens)", "8193", "A whole number from 1 to 8192."],
      ];
      for (const [label, value, message] of cases) {
        const control = field<HTMLInputElement>(label);
        await type(control, value);
        await blur(control);
        await waitFor(() => expect(errorOf(control), label).toBe(message));
        expect(control.getAttribute("aria-invalid")).toBe("true");
      }
      // Up to six suggested questions, each required and at most 120 characters.
      for (let i = 0; i < 6; i++) await click(button("+ Add a question"));
      await waitFor(() => expect(button("+ Add a question").hasAttribute("disabled")).toBe(true));
      await type(field("Question 2"), "q".repeat(121));
      await blur(field("Question 2"));
      await waitFor(() => expect(errorOf(field("Question 2"))).toBe("At most 120 characters."));
      expect(text(document.querySelector(".save-bar__state"))).toBe("Unsaved changes");

      await click(button("Save changes"));
      await waitFor(() => expect(text(document.querySelector(".save-bar .notice"))).toBe("Fix the highlighted fields first."));
      expect(errorOf(field("Question 1"))).toBe("Required."); // shown for every field once a save was tried
      expect(page.calls.filter((c) => c.method === "PATCH")).toEqual([]);
      await waitFor(() => expect(document.activeElement).toBe(field("Bot name")));

      await click(button("Discard changes"));
      await waitFor(() => expect(field("Bot name").value).toBe("Tea helper"));
      expect(document.querySelectorAll(".field__error")).toHaveLength(0);
    });

    it("saves every field with one PATCH, as the server then has them", async () => {
      const page = f.signedIn(f.ownerA, `/sites/${f.site.id}/settings`);
      await waitFor(() => expect(heading()).toBe("Bot settings"));
      await type(field("Bot name"), "  Lantern Assistant ");
      await type(field("Avatar URL"), "https://cdn.example/lantern.png");
      await type(field("Colour"), "#0F766E");
      await type(field("Welcome message"), "Welcome to **Lantern Tea**!");
      await click(button("+ Add a question"));
      await waitFor(() => field("Question 1"));
      await type(field("Question 1"), "What is oolong?");
      await type(field("System prompt"), "You sell tea. Be brief.");
      await choose(field<HTMLSelectElement>("Model"), "qwen-plus");
      await type(field("Temperature"), "0.3");
      await type(field("Longest answer (tokens)"), "600");
      await choose(field<HTMLSelectElement>("Bot language"), "zh-CN");
      // Knowledge and answers: the mode as radios, each with what it does.
      expect(field<HTMLInputElement>("Use it when it helps").checked).toBe(true);
      expect(errorOf(field("Answer only from it"))).toBeNull();
      expect(text(document.getElementById(field("Answer only from it").getAttribute("aria-describedby")!))).toMatch(
        /only from the knowledge base/,
      );
      // The application test asks the saved application: none is saved yet.
      expect(field("Question for the application").disabled).toBe(true);
      expect(button("Test the application").hasAttribute("disabled")).toBe(true);
      await click(field("Answer only from it"));
      await type(field("Contact text"), " Write to tea@lantern.example ");
      // An application needs the site's own key, which this site does not have: refused, said where.
      await type(field("Bailian application id"), "app_0123abc");
      await click(button("Save changes"));
      await waitFor(() => expect(text(document.querySelector(".save-bar .notice"))).toMatch(/own DashScope key/));
      expect(errorOf(field("Bailian application id"))).toMatch(/own DashScope key/);
      expect(page.calls.filter((c) => c.method === "PATCH")).toHaveLength(1);
      page.calls.length = 0;
      await f.h.request(`/api/sites/${f.site.id}`, { ...json({ apiKey: f.h.fake.apiKey }, { cookie: f.ownerA.cookie }), method: "PATCH" });
      await type(field("Workspace id"), "ws-77");
      await click(button("Save changes"));
      await waitFor(() => expect(text(document.querySelector(".save-bar .notice"))).toBe("Settings saved."));

      const bot = {
        displayName: "Lantern Assistant",
        avatarUrl: "https://cdn.example/lantern.png",
        primaryColor: "#0F766E",
        welcomeMessage: "Welcome to **Lantern Tea**!",
        suggestedQuestions: ["What is oolong?"],
        systemPrompt: "You sell tea. Be brief.",
        model: "qwen-plus",
        temperature: 0.3,
        maxOutputTokens: 600,
        language: "zh-CN",
        knowledge: "only",
        contactText: "Write to tea@lantern.example",
        bailianAppId: "app_0123abc",
        bailianWorkspaceId: "ws-77",
      };
      expect(page.calls.filter((c) => c.method === "PATCH").map((c) => c.body)).toEqual([{ bot }]);
      const saved = (await (await f.h.request(`/api/sites/${f.site.id}`, { headers: { cookie: f.ownerA.cookie } })).json()) as {
        site: { bot: unknown };
      };
      expect(saved.site.bot).toEqual(bot);
      expect(field("Bot name").value).toBe("Lantern Assistant"); // trimmed, as stored
      // As the server has them after a reload too.
      f.signedIn(f.ownerA, `/sites/${f.site.id}/settings`);
      await waitFor(() => expect(field("Contact text").value).toBe("Write to tea@lantern.example"));
      expect(field<HTMLInputElement>("Answer only from it").checked).toBe(true);
      expect(field("Bailian application id").value).toBe("app_0123abc");
      expect(field("Workspace id").value).toBe("ws-77");
      await type(field("Question for the application"), "Do you ship abroad?");
      expect(button("Test the application").hasAttribute("disabled")).toBe(false);
      expect(text(document.querySelector(".save-bar__state"))).toBe("All changes saved");
      // The application answers through the real endpoint (the fake's application API): its answer and its source.
      f.h.fake.registerApp({
        id: "app_0123abc",
        workspaceId: "ws-77",
        documents: [{ title: "Shipping policy", text: "Orders ship abroad within ten days.", url: "https://lantern.example/shipping" }],
      });
      await click(button("Test the application"));
      await waitFor(() => expect(document.body.textContent).toContain("Shipping policy"));
      const link = [...document.querySelectorAll("a")].find((a) => a.textContent?.includes("Shipping policy"))!;
      expect(link.getAttribute("href")).toBe("https://lantern.example/shipping");
      expect(link.getAttribute("rel")).toBe("noopener noreferrer");
      // back to the demo's settings for the other tests
      await f.h.request(`/api/sites/${f.site.id}`, {
        method: "PATCH",
        headers: { cookie: f.ownerA.cookie, "content-type": "application/json" },
        body: JSON.stringify({
          bot: {
            displayName: "Tea helper",
            avatarUrl: null,
            primaryColor: "#3d5a40",
            language: "en",
            suggestedQuestions: [],
            knowledge: "prefer",
            contactText: "",
            bailianAppId: null,
            bailianWorkspaceId: null,
          },
          apiKey: null,
        }),
      });
    });

    it("asks before leaving with unsaved changes, and stays when the owner says no", async () => {
      f.signedIn(f.ownerA, `/sites/${f.site.id}/settings`);
      await waitFor(() => expect(heading()).toBe("Bot settings"));
      await type(field("Bot name"), "Not saved");
      const confirm = vi.fn((_question?: string) => false);
      Object.defineProperty(window, "confirm", { configurable: true, writable: true, value: confirm });
      await click(button("Install"));
      expect(confirm).toHaveBeenCalledWith("You have unsaved changes. Leave this page without saving them?");
      expect(heading()).toBe("Bot settings");
      expect(field("Bot name").value).toBe("Not saved");
      confirm.mockReturnValue(true);
      await click(button("Install"));
      await waitFor(() => expect(heading()).toBe("Install"));
      confirm.mockClear();
      await click(button("Bot settings"));
      await waitFor(() => expect(heading()).toBe("Bot settings"));
      expect(field("Bot name").value).toBe("Tea helper"); // nothing was saved
      await click(button("Usage"));
      expect(confirm).not.toHaveBeenCalled(); // nothing to lose: no question
    });

    it("limits and the monthly quota: checked against the server's bounds, saved with the settings", async () => {
      const page = f.signedIn(f.ownerA, `/sites/${f.site.id}/settings`);
      await waitFor(() => expect(heading()).toBe("Bot settings"));
      expect(field("Messages per visitor per minute").value).toBe(String(DEFAULT_LIMITS.visitorMessagesPerMinute));
      await type(field("Messages per visitor per minute"), "601");
      await blur(field("Messages per visitor per minute"));
      await waitFor(() => expect(errorOf(field("Messages per visitor per minute"))).toBe("A whole number from 1 to 600."));
      await type(field("Tokens per month"), "0");
      await blur(field("Tokens per month"));
      await waitFor(() => expect(errorOf(field("Tokens per month"))).toBe("A whole number from 1 to 100,000,000,000."));
      await click(button("Save changes"));
      await waitFor(() => expect(text(document.querySelector(".save-bar .notice"))).toBe("Fix the highlighted fields first."));
      await waitFor(() => expect(document.activeElement).toBe(field("Messages per visitor per minute")));
      expect(page.calls.filter((c) => c.method === "PATCH")).toEqual([]);

      await type(field("Messages per visitor per minute"), "30");
      await type(field("Tokens per month"), "2,000,000");
      await click(button("Save changes"));
      await waitFor(() => expect(text(document.querySelector(".save-bar .notice"))).toBe("Settings saved."));
      const limits = { ...DEFAULT_LIMITS, visitorMessagesPerMinute: 30, monthlyTokens: 2_000_000 };
      expect(page.calls.filter((c) => c.method === "PATCH").map((c) => c.body)).toEqual([{ limits }]);
      expect(field("Tokens per month").value).toBe("2000000");
      const saved = (await (await f.h.request(`/api/sites/${f.site.id}`, { headers: { cookie: f.ownerA.cookie } })).json()) as {
        site: { limits: unknown };
      };
      expect(saved.site.limits).toEqual(limits);
      await f.patchSite({ limits: DEFAULT_LIMITS });
    });

    it("messages per IP address: its own field, and a warning (not a refusal) when one address may take over a quarter of the site", async () => {
      const page = f.signedIn(f.ownerA, `/sites/${f.site.id}/settings`);
      await waitFor(() => expect(heading()).toBe("Bot settings"));
      expect(field("Messages per IP address per minute").value).toBe(String(DEFAULT_LIMITS.ipMessagesPerMinute));
      expect(text(document.getElementById("limits-hint"))).toContain("at most a quarter of the site's messages per minute");
      const warning = () => document.getElementById("limits-ip-share");
      expect(warning()).toBeNull();
      await type(field("Messages per IP address per minute"), "60");
      await waitFor(() =>
        expect(text(warning())).toBe(
          "One IP address may now send 50% of the site's messages per minute: a single network (or one script) could crowd out everyone else.",
        ),
      );
      await click(button("Save changes"));
      await waitFor(() => expect(text(document.querySelector(".save-bar .notice"))).toBe("Settings saved."));
      expect(page.calls.filter((c) => c.method === "PATCH").map((c) => c.body)).toEqual([
        { limits: { ...DEFAULT_LIMITS, ipMessagesPerMinute: 60 } },
      ]);
      await type(field("Messages for the whole site per minute"), "240");
      await waitFor(() => expect(warning()).toBeNull());
      await f.patchSite({ limits: DEFAULT_LIMITS });
    });

    it("the preview's widget is given the unsaved settings: its config request answers with them", async () => {
      f.signedIn(f.ownerA, `/sites/${f.site.id}/settings`);
      await waitFor(() => expect(heading()).toBe("Bot settings"));
      const frames = () => [...document.querySelectorAll<HTMLIFrameElement>(".preview-frame iframe")];
      await waitFor(() => expect(frames()).toHaveLength(1));
      expect(frames()[0].getAttribute("src")).toBe(`/dashboard/preview.html?key=${f.site.siteKey}`);

      await type(field("Colour"), "#be123c");
      await type(field("Welcome message"), "Unsaved **welcome**");
      await click(button("+ Add a question"));
      await waitFor(() => field("Question 1"));
      await type(field("Question 1"), "Shipping?");
      await type(field("Bot name"), ""); // invalid while typing: the preview keeps the saved name
      // A pause in typing makes a new frame for the new settings.
      await waitFor(() => expect(frames()).toHaveLength(2), PREVIEW_DEBOUNCE_MS + 2000);
      const frame = frames()[1];

      // The frame's page says it is ready; the dashboard answers with the settings.
      const postMessage = vi.fn();
      Object.defineProperty(frame, "contentWindow", { configurable: true, value: { postMessage } });
      window.dispatchEvent(
        new MessageEvent("message", {
          data: { type: "bailian-preview:ready" },
          origin: "https://evil.example",
          source: frame.contentWindow as never,
        }) as never,
      );
      window.dispatchEvent(
        new MessageEvent("message", {
          data: { type: "bailian-preview:ready" },
          origin: f.origin,
          source: { postMessage: vi.fn() } as never,
        }) as never,
      );
      expect(postMessage).not.toHaveBeenCalled();
      window.dispatchEvent(
        new MessageEvent("message", {
          data: { type: "bailian-preview:ready" },
          origin: f.origin,
          source: frame.contentWindow as never,
        }) as never,
      );
      expect(postMessage).toHaveBeenCalledTimes(1);
      const [message, targetOrigin] = postMessage.mock.calls[0] as [{ type: string; config: PublicConfig }, string];
      expect(targetOrigin).toBe(f.origin);
      expect(message.type).toBe("bailian-preview:config");

      // What the widget in that frame then reads as its config.
      const serverFetch = vi.fn<typeof fetch>();
      const answered = await (
        await previewFetch(serverFetch, message.config, f.origin)(`${f.origin}/v1/widget/${f.site.siteKey}/config`)
      ).json();
      expect(answered).toEqual({
        siteKey: f.site.siteKey,
        displayName: "Tea helper",
        avatarUrl: null,
        primaryColor: "#be123c",
        welcomeMessage: "Unsaved **welcome**",
        suggestedQuestions: ["Shipping?"],
        language: "en",
      });
      expect(serverFetch).not.toHaveBeenCalled();

      // Once its widget has drawn itself, the new frame replaces the old one.
      window.dispatchEvent(
        new MessageEvent("message", {
          data: { type: "bailian-preview:shown" },
          origin: f.origin,
          source: frame.contentWindow as never,
        }) as never,
      );
      await waitFor(() => expect(frames()).toEqual([frame]));
      expect(frame.getAttribute("title")).toBe("Widget preview");
      // nothing was saved
      const saved = (await (await f.h.request(`/api/sites/${f.site.id}`, { headers: { cookie: f.ownerA.cookie } })).json()) as {
        site: { bot: { primaryColor: string } };
      };
      expect(saved.site.bot.primaryColor).toBe("#3d5a40");
    });
  });

  describe("install", () => {
    it("shows the script tag for this server and the site, and copies it", async () => {
      f.signedIn(f.ownerA, `/sites/${f.site.id}/install`);
      await waitFor(() => expect(heading()).toBe("Install"));
      const tag = `<script src="${f.origin}/widget.js" data-site-key="${f.site.siteKey}" async></script>`;
      expect(text(document.getElementById("snippet"))).toBe(tag);
      const writeText = vi.fn(async () => {});
      Object.defineProperty(navigator, "clipboard", { configurable: true, value: { writeText } });
      await click(button("Copy the script tag"));
      await waitFor(() => expect(text(button("Copy the script tag"))).toBe("✓ Copied"));
      expect(writeText).toHaveBeenCalledWith(tag);
    });

    it("offers, second, the snippet that loads the widget after the load event, with the site's key, and copies it", async () => {
      f.signedIn(f.ownerA, `/sites/${f.site.id}/install`);
      await waitFor(() => expect(heading()).toBe("Install"));
      const snippet = [
        "<script>",
        '  addEventListener("load", function () {',
        '    var s = document.createElement("script");',
        `    s.src = "${f.origin}/widget.js";`,
        `    s.setAttribute("data-site-key", "${f.site.siteKey}");`,
        "    document.body.appendChild(s);",
        "  });",
        "</script>",
      ].join("\n");
      expect(document.getElementById("snippet-after-load")!.textContent).toBe(snippet);
      // below the tag and its copy button, in the same section
      const section = document.querySelector('section[aria-labelledby="snippet-title"]')!;
      expect([...section.querySelectorAll("code, h3, button")].map((e) => (e.tagName === "CODE" ? e.id : text(e)))).toEqual([
        "snippet",
        "Copy",
        "Or: after the load event",
        "snippet-after-load",
        "Copy",
      ]);
      expect(text(section)).toContain("Under a strict Content-Security-Policy this inline script needs the page's nonce.");
      const writeText = vi.fn(async () => {});
      Object.defineProperty(navigator, "clipboard", { configurable: true, value: { writeText } });
      await click(button("Copy the after-load snippet"));
      await waitFor(() => expect(text(button("Copy the after-load snippet"))).toBe("✓ Copied"));
      expect(writeText).toHaveBeenCalledWith(snippet);
      expect(text(button("Copy the script tag"))).toBe("Copy");
      await click(button("中文"));
      await waitFor(() => expect(heading()).toBe("安装"));
      expect(text(section)).toContain("需要带上页面的 nonce");
      expect(button("复制 load 之后加载的代码")).toBeTruthy();
      await click(button("English"));
      await waitFor(() => expect(heading()).toBe("Install"));
    });

    it("edits the allowed origins as the server normalises them, refusing paths and duplicates", async () => {
      const page = f.signedIn(f.ownerA, `/sites/${f.site.id}/install`);
      await waitFor(() => expect(heading()).toBe("Install"));
      const origins = () => [...document.querySelectorAll(".origin-list code")].map(text);
      expect(origins()).toEqual(["https://shop.example"]);
      await type(field("Origin"), "https://blog.example/posts");
      await click(button("Add origin"));
      await waitFor(() => expect(errorOf(field("Origin"))).toBe("Use an origin such as https://shop.example.com (no path)."));
      await type(field("Origin"), "HTTPS://Shop.Example:443");
      await click(button("Add origin"));
      await waitFor(() => expect(errorOf(field("Origin"))).toBe("Already in the list."));
      await type(field("Origin"), "https://Blog.Example:443/");
      await click(button("Add origin"));
      await waitFor(() => expect(origins()).toEqual(["https://shop.example", "https://blog.example"]));
      expect(field("Origin").value).toBe("");
      await click(button("Remove https://shop.example"));
      await waitFor(() => expect(origins()).toEqual(["https://blog.example"]));
      expect(page.calls.filter((c) => c.method === "PATCH").map((c) => c.body)).toEqual([
        { allowedOrigins: ["https://shop.example", "https://blog.example"] },
        { allowedOrigins: ["https://blog.example"] },
      ]);
      const saved = (await (await f.h.request(`/api/sites/${f.site.id}`, { headers: { cookie: f.ownerA.cookie } })).json()) as {
        site: { allowedOrigins: string[] };
      };
      expect(saved.site.allowedOrigins).toEqual(["https://blog.example"]);
      await f.h.request(`/api/sites/${f.site.id}`, {
        method: "PATCH",
        headers: { cookie: f.ownerA.cookie, "content-type": "application/json" },
        body: JSON.stringify({ allowedOrigins: ["https://shop.example"] }),
      });
    });

    it("says honestly what allowed origins stop (pages) and what they cannot (scripts), in both languages", async () => {
      f.signedIn(f.ownerA, `/sites/${f.site.id}/install`);
      await waitFor(() => expect(heading()).toBe("Install"));
      const note = () => text(document.getElementById("origins-scripts"));
      expect(note()).toContain("Allowed origins stop other web pages");
      expect(note()).toContain("They cannot stop a script");
      await click(button("中文"));
      await waitFor(() => expect(heading()).toBe("安装"));
      expect(note()).toContain("挡不住脚本");
      await click(button("English"));
      await waitFor(() => expect(heading()).toBe("Install"));
    });

    it("lists the Content-Security-Policy sources a page needs, img-src only with an avatar", async () => {
      f.signedIn(f.ownerA, `/sites/${f.site.id}/install`);
      await waitFor(() => expect(heading()).toBe("Install"));
      expect(document.getElementById("csp")!.textContent).toBe(`script-src ${f.origin};\nconnect-src ${f.origin};`);
      await f.h.request(`/api/sites/${f.site.id}`, {
        method: "PATCH",
        headers: { cookie: f.ownerA.cookie, "content-type": "application/json" },
        body: JSON.stringify({ bot: { avatarUrl: "https://img.example/cat.png" } }),
      });
      f.signedIn(f.ownerA, `/sites/${f.site.id}/install`);
      await waitFor(() =>
        expect(document.getElementById("csp")!.textContent).toBe(
          `script-src ${f.origin};\nconnect-src ${f.origin};\nimg-src https://img.example;`,
        ),
      );
      await f.h.request(`/api/sites/${f.site.id}`, {
        method: "PATCH",
        headers: { cookie: f.ownerA.cookie, "content-type": "application/json" },
        body: JSON.stringify({ bot: { avatarUrl: null } }),
      });
    });
  });
});
