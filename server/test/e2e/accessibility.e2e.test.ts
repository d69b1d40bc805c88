import type { BrowserContext, Frame, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_EMAIL, DEMO_PASSWORD, type RunningDemo } from "../../src/demo.js";
import { type AxeViolation, axeViolations, formatViolations } from "./axe.js";
import { type BrowserDemo, startBrowserDemo } from "./browser-demo.js";
import { HAS_CHROMIUM, collectProblems } from "./browser.js";

/**
 * axe-core (every rule it runs by default, none switched off) on the widget — closed, open, and
 * with a conversation — on the demo shop, and on every page of the dashboard with data in it
 * (a conversation, its usage, knowledge, a webhook, a pending invitation), in English and Chinese.
 * Each test collects every page's violations and fails with all of them listed (rule, impact,
 * what it asks, the elements), so one run shows everything that is left to fix.
 */
describe.skipIf(!HAS_CHROMIUM)("accessibility (axe-core) in Chromium", () => {
  let running: BrowserDemo | undefined;
  let demo: RunningDemo;

  beforeAll(async () => {
    running = await startBrowserDemo("a11y");
    demo = running.demo;
  });
  afterAll(() => running?.close());

  /** What axe found on each page checked, by label. */
  function recorder() {
    const found: Array<[string, AxeViolation[]]> = [];
    const checked: string[] = [];
    return {
      checked,
      async check(label: string, target: Page | Frame) {
        checked.push(label);
        const violations = await axeViolations(target);
        if (violations.length > 0) found.push([label, violations]);
      },
      report: () => found.map(([label, v]) => formatViolations(label, v)).join("\n"),
    };
  }

  async function newContext(locale: string): Promise<BrowserContext> {
    return running!.browser.newContext({ viewport: { width: 1280, height: 900 }, locale });
  }

  /** Opens the widget on the demo shop in `page` and asks `question`; back once the answer is over. */
  async function chatOnShop(page: Page, question: string, onStep?: (step: "closed" | "open") => Promise<void>) {
    await page.goto(`${demo.siteOrigin}/`);
    const launcher = page.locator("bailian-chat").getByRole("button", { name: /Lantern Tea Assistant/ });
    await launcher.waitFor();
    await onStep?.("closed");
    await launcher.click();
    const composer = page.locator("bailian-chat").getByRole("textbox");
    await composer.waitFor();
    await onStep?.("open");
    await composer.fill(question);
    await composer.press("Enter");
    await page
      .getByText(/Offline demo reply/)
      .last()
      .waitFor({ timeout: 15_000 });
    // The answer is over when the stop button gives way to the send button again.
    await page.getByRole("button", { name: /Stop the answer|停止回答/ }).waitFor({ state: "detached", timeout: 15_000 });
  }

  it("the widget on the demo shop: closed, open, and with a conversation, in both languages, light and dark", async () => {
    const axe = recorder();
    const owner = await newContext("en-US");
    const login = await owner.request.post(`${demo.api}/api/auth/login`, { data: { email: DEMO_EMAIL, password: DEMO_PASSWORD } });
    expect(login.status()).toBe(200);
    try {
      // The widget speaks the bot's language (the site's setting); the demo site's is English.
      for (const language of ["en", "zh-CN"] as const) {
        const patched = await owner.request.patch(`${demo.api}/api/sites/${demo.siteId}`, { data: { bot: { language } } });
        expect(patched.status()).toBe(200);
        for (const colorScheme of ["light", "dark"] as const) {
          const context = await running!.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: language, colorScheme });
          const page = await context.newPage();
          const problems = collectProblems(page);
          const label = `${language}, ${colorScheme}`;
          await chatOnShop(page, "Which tea suits a beginner?", (step) => axe.check(`widget ${step} (${label})`, page));
          expect(await page.locator("bailian-chat").getByRole("textbox").getAttribute("aria-label")).toBe(
            language === "en" ? "Message" : "输入消息",
          );
          expect(await page.locator("bailian-chat").getByRole("log").getAttribute("aria-labelledby")).toBe("bc-title");
          await axe.check(`widget with a conversation (${label})`, page);
          expect(problems).toEqual([]);
          await context.close();
        }
      }
    } finally {
      // Back to the demo's English for the other tests.
      await owner.request.patch(`${demo.api}/api/sites/${demo.siteId}`, { data: { bot: { language: "en" } } });
      await owner.close();
    }
    expect(axe.checked).toHaveLength(12);
    expect(axe.report()).toBe("");
  }, 120_000);

  /**
   * Goes to a dashboard page and waits until it is drawn with its data: its h1, nothing still
   * loading, and `ready` (a selector of what the page shows once its data came) when given.
   */
  async function visit(page: Page, path: string, ready?: string) {
    await page.goto(`${demo.api}/dashboard${path}`);
    await page.locator("main h1").first().waitFor();
    if (ready) await page.locator(ready).first().waitFor({ timeout: 15_000 });
    await page.locator(".state--loading").first().waitFor({ state: "detached", timeout: 15_000 });
  }

  it("every dashboard page, with data, in English and Chinese", async () => {
    const axe = recorder();
    // Data for every page to show: a conversation (and so usage), a webhook, a pending team
    // invitation and an operator invitation; the demo site has knowledge, origins and questions.
    const setup = await newContext("en-US");
    const shop = await setup.newPage();
    await chatOnShop(shop, "Do you ship to Hangzhou?");
    const login = await setup.request.post(`${demo.api}/api/auth/login`, { data: { email: DEMO_EMAIL, password: DEMO_PASSWORD } });
    expect(login.status()).toBe(200);
    const site = `${demo.api}/api/sites/${demo.siteId}`;
    const webhook = await setup.request.post(`${site}/webhooks`, {
      data: { url: "https://hooks.example.com/bailian", events: ["conversation.created", "message.created"] },
    });
    expect(webhook.status()).toBe(201);
    const invited = await setup.request.post(`${site}/invitations`, { data: { email: "agent@example.com", role: "agent" } });
    expect(invited.status()).toBe(201);
    const operatorInvite = await setup.request.post(`${demo.api}/api/operator/invitations`, { data: { email: "new-owner@example.com" } });
    expect(operatorInvite.status()).toBe(201);
    const { conversations } = (await (await setup.request.get(`${site}/conversations`)).json()) as { conversations: Array<{ id: string }> };
    expect(conversations.length).toBeGreaterThan(0);
    await setup.close();

    const problems: string[] = [];
    for (const locale of ["en-US", "zh-CN"]) {
      const context = await newContext(locale);
      const page = await context.newPage();
      const seen = collectProblems(page);
      const check = (label: string, target: Page | Frame = page) => axe.check(`${label} (${locale})`, target);

      // Signed out: the sign-in pages and the mailed links (with tokens that lead nowhere).
      await visit(page, "/signin", "form");
      await check("sign in");
      // Sent empty: the fields' errors are shown.
      await page.locator("form button[type=submit]").click();
      await page.locator(".field__error").first().waitFor();
      await check("sign in, with errors");
      await visit(page, "/signup", "form");
      await check("sign up");
      await visit(page, "/forgot-password", "form");
      await check("forgot password");
      await visit(page, "/reset-password?token=not-a-real-token", "form");
      await check("reset password");
      await visit(page, "/verify?token=not-a-real-token");
      await check("verify email");
      await visit(page, "/join?token=not-a-real-token");
      await check("join a team");

      const signedIn = await context.request.post(`${demo.api}/api/auth/login`, { data: { email: DEMO_EMAIL, password: DEMO_PASSWORD } });
      expect(signedIn.status()).toBe(200);
      const id = demo.siteId;
      await visit(page, "/", ".site-card");
      await check("sites");
      await visit(page, `/sites/${id}/settings`, 'iframe[data-preview="shown"]');
      await check("site settings");
      const preview = page.frames().find((f) => f.url().includes("/preview.html"));
      expect(preview, "the preview frame").toBeDefined();
      await check("preview (preview.html)", preview!);
      await visit(page, `/sites/${id}/knowledge`, "#knowledge-sources");
      await check("knowledge");
      await visit(page, `/sites/${id}/install`, ".origin-list li");
      await check("install");
      await visit(page, `/sites/${id}/conversations`, `a[href$="/${conversations[0].id}"]`);
      await check("conversations");
      await visit(page, `/sites/${id}/conversations/${conversations[0].id}`, ".transcript .message");
      await check("transcript");
      await visit(page, `/sites/${id}/usage`, "figure.chart svg rect");
      await check("usage");
      // axe-core leaves out the text inside an SVG image (role="img"): the charts' axis labels are measured here.
      const faint = await page.evaluate(chartTextBelowContrast, 4.5);
      expect(faint, `chart text under 4.5:1 (${locale})`).toEqual([]);
      expect(await page.locator("figure.chart svg text").count()).toBeGreaterThan(0);
      await visit(page, `/sites/${id}/key`, "form");
      await check("API key");
      await visit(page, `/sites/${id}/team`, "#team-invitations");
      await check("team");
      await visit(page, `/sites/${id}/webhooks`, "#webhooks-list");
      // With a webhook's delivery log open too.
      await page
        .getByRole("button", { name: /Show the deliveries|显示发往/ })
        .first()
        .click();
      await check("webhooks");
      // A confirmation dialog, open.
      await page
        .getByRole("button", { name: /Delete the webhook|删除/ })
        .first()
        .click();
      await page.getByRole("alertdialog").waitFor();
      await check("webhooks, confirming a delete");
      await page.keyboard.press("Escape");
      await visit(page, "/account", "form");
      await check("account");
      for (const tab of ["owners", "sites", "settings", "invitations", "plans"]) {
        await visit(page, `/operator/${tab}`);
        await check(`operator ${tab}`);
      }
      await visit(page, "/no-such-page");
      await check("not found");
      // Signed out, the dashboard asks who is signed in and is told "nobody"; the made-up token is refused.
      problems.push(...seen.filter((p) => !/^401 .*\/api\/me$|^400 .*\/api\/auth\/verify-email$/.test(p)));
      await context.close();
    }
    expect(axe.checked).toHaveLength(2 * 26);
    expect(axe.report()).toBe("");
    expect(problems).toEqual([]);
  }, 240_000);
});

/**
 * Runs in the page: every chart's text whose fill has less than `minimum` contrast with the
 * chart's background (the first opaque background up from the chart), as "text: ratio".
 */
function chartTextBelowContrast(minimum: number): string[] {
  const rgb = (colour: string) => (colour.match(/[\d.]+/g) ?? []).map(Number);
  const luminance = (colour: string) => {
    const [r, g, b] = rgb(colour).map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const background = (el: Element | null): string => {
    for (; el; el = el.parentElement) {
      const colour = getComputedStyle(el).backgroundColor;
      if ((rgb(colour)[3] ?? 1) > 0) return colour;
    }
    return "rgb(255, 255, 255)";
  };
  const faint: string[] = [];
  for (const text of document.querySelectorAll("figure.chart svg text")) {
    const [a, b] = [luminance(getComputedStyle(text).fill), luminance(background(text.closest("figure")))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < minimum) faint.push(`${text.textContent}: ${ratio.toFixed(2)}`);
  }
  return faint;
}
