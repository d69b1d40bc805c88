import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { type Server, createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningDemo, startDemo } from "../../src/demo.js";
import { memoryLogger } from "../../src/logger.js";
import { freePort } from "../support/ports.js";
import { HAS_CHROMIUM, SHOTS, launchBrowser } from "./browser.js";

/**
 * The owner's whole path in a real browser, on what `npm run demo` starts: sign up, create a site,
 * change its colour and welcome message and see them in the live preview, copy the script tag,
 * allow a third-party page's origin, chat on that page (which holds exactly the copied tag), and
 * find the same conversation in the inbox and its tokens in the usage. A screenshot of every screen
 * lands in test-results/e2e/dashboard-<screen>.png.
 */
describe.skipIf(!HAS_CHROMIUM)("the dashboard in Chromium", () => {
  let demo: RunningDemo;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let dir: string;
  let thirdParty: Server;
  let thirdPartyOrigin: string;
  /** what the third-party page's body holds: set once the snippet was copied */
  let thirdPartyBody = "";
  const problems: string[] = [];

  const email = `owner-${Date.now()}@example.com`;
  const question = "Do you ship books to Hangzhou?";
  const shot = (name: string, target: Page = page) => target.screenshot({ path: join(SHOTS, `dashboard-${name}.png`), fullPage: true });

  function watch(p: Page, label: string) {
    p.on("pageerror", (e) => problems.push(`${label} pageerror: ${e.message}`));
    p.on("response", (r) => {
      // Before signing in, the dashboard asks who is signed in and is told "nobody" (401).
      if (r.status() === 401 && new URL(r.url()).pathname === "/api/me") return;
      if (r.status() >= 400) problems.push(`${label} ${r.status()} ${r.url()}`);
    });
    p.on("console", (m) => {
      if (/Failed to load resource/.test(m.text())) return; // reported above with their URL
      if (m.type() === "error" || /Content Security Policy|Refused to/i.test(m.text())) problems.push(`${label} console: ${m.text()}`);
    });
  }

  beforeAll(async () => {
    for (const file of ["dist/widget/widget.js", "dist/dashboard/index.html", "dist/dashboard/preview.html"]) {
      if (!existsSync(file))
        throw new Error(`${file} is missing: \`npm test\` builds it (npm run build:widget && npm run build:dashboard)`);
    }
    dir = mkdtempSync(join(tmpdir(), "bc-e2e-dashboard-"));
    demo = await startDemo(
      {
        PORT: String(await freePort()),
        DEMO_SITE_PORT: String(await freePort()),
        DATA_DIR: dir,
        WIDGET_DIR: "dist/widget",
        DASHBOARD_DIR: "dist/dashboard",
      },
      memoryLogger(),
    );
    const served = await fetch(`${demo.api}/dashboard/`, { headers: { accept: "text/html" } });
    if (served.status !== 200)
      throw new Error(`GET /dashboard/ answered ${served.status}: app.ts must call registerDashboardRoutes(router, deps)`);
    await served.arrayBuffer();
    // A third-party page on its own origin, serving exactly the snippet the owner copied.
    const port = await freePort();
    thirdPartyOrigin = `http://localhost:${port}`;
    thirdParty = createServer((req, res) => {
      if (req.url !== "/") return void res.writeHead(404).end();
      res
        .writeHead(200, { "content-type": "text/html; charset=utf-8" })
        .end(
          `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Harbour Books</title></head><body><h1>Harbour Books</h1><p>Second-hand books by the sea.</p>\n${thirdPartyBody}\n</body></html>`,
        );
    });
    await new Promise<void>((resolve) => thirdParty.listen(port, resolve));
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: demo.api });
    page = await context.newPage();
    watch(page, "dashboard");
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => (thirdParty ? thirdParty.close(r) : r(null)));
    await demo?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const tab = (name: string) => page.getByRole("navigation", { name: "Site sections" }).getByRole("link", { name, exact: true });

  it("sign up → site → preview → copy the tag → chat on a third-party page → inbox → usage", async () => {
    // Sign up.
    await page.goto(`${demo.api}/dashboard/`);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await shot("sign-in");
    await page.getByRole("link", { name: "Create one" }).click();
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("a long enough password");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Your sites" }).waitFor();
    await page.getByText("No sites yet").waitFor();

    // Create a site: its settings open.
    await page.getByLabel("Site name").fill("Harbour Books");
    await page.getByRole("button", { name: "Create site" }).click();
    await page.getByRole("heading", { name: "Bot settings" }).waitFor();
    await page.locator('iframe[data-preview="shown"]').waitFor({ timeout: 15_000 });

    // Change the colour and the welcome message: the preview shows them before anything is saved.
    await page.getByLabel("Bot name", { exact: true }).fill("Harbour Helper");
    await page.getByLabel("Colour", { exact: true }).fill("#be123c");
    await page.getByLabel("Welcome message", { exact: true }).fill("Welcome to **Harbour Books**! Ask about any title.");
    await page.getByLabel("Bot language").selectOption("en");
    await page.getByRole("button", { name: "+ Add a question" }).click();
    await page.getByLabel("Question 1", { exact: true }).fill("What are your opening hours?");
    const preview = page.frameLocator('iframe[data-preview="shown"]');
    const header = preview.locator("bailian-chat .head");
    await expect.poll(() => header.evaluate((el) => getComputedStyle(el).backgroundColor), { timeout: 15_000 }).toBe("rgb(190, 18, 60)");
    await expect
      .poll(() => preview.locator("bailian-chat").getByText("Harbour Books").first().textContent(), { timeout: 10_000 })
      .toBe("Harbour Books");
    await expect.poll(() => header.innerText()).toContain("Harbour Helper");
    await preview.getByRole("button", { name: "What are your opening hours?" }).waitFor();
    expect(await page.getByText("Unsaved changes", { exact: true }).count()).toBe(1);
    // The form and the preview, as the owner sees them (a full-page picture would draw the sticky save bar mid-page).
    await page.screenshot({ path: join(SHOTS, "dashboard-settings-preview.png") });
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Settings saved.").waitFor();

    // Install: copy the tag (read back from the clipboard), allow the third-party page's origin.
    await tab("Install").click();
    await page.getByRole("heading", { name: "Install" }).waitFor();
    const shown = (await page.locator("#snippet").textContent())!;
    expect(shown).toMatch(new RegExp(`^<script src="${demo.api}/widget.js" data-site-key="[\\w-]+" async></script>$`));
    await page.getByRole("button", { name: "Copy the script tag" }).click();
    await expect.poll(() => page.getByRole("button", { name: "Copy the script tag" }).textContent()).toBe("✓ Copied");
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(shown);
    await page.getByLabel("Origin", { exact: true }).fill(thirdPartyOrigin);
    await page.getByRole("button", { name: "Add origin" }).click();
    await page.locator(".origin-list").getByText(thirdPartyOrigin, { exact: true }).waitFor();
    await page.getByText("Allowed origins saved.").waitFor();
    await shot("install");

    // The third-party page, holding exactly the copied snippet: chat there.
    thirdPartyBody = copied;
    const shop = await context.newPage();
    watch(shop, "third-party page");
    await shop.goto(`${thirdPartyOrigin}/`);
    await shop.getByRole("button", { name: "Open chat with Harbour Helper" }).click();
    await shop.getByText("Ask about any title.").waitFor();
    await shop.getByRole("textbox", { name: "Message" }).fill(question);
    await shop.getByRole("textbox", { name: "Message" }).press("Enter");
    await shop.getByText("This answer comes from the local offline model").waitFor({ timeout: 15_000 });
    await shop.getByRole("button", { name: "Stop the answer" }).waitFor({ state: "detached", timeout: 15_000 });
    const onPage = await shop.locator("[role=log]").innerText();
    expect(onPage).toContain(question);
    expect(onPage).toContain("This answer comes from the local offline model, not from Qwen.");
    await shot("third-party-page", shop);
    await shop.close();

    // The inbox has the conversation, with the same text.
    await tab("Conversations").click();
    const row = page.getByRole("link", { name: question });
    await row.waitFor({ timeout: 10_000 });
    await shot("conversations");
    await row.click();
    await page.getByRole("heading", { name: question }).waitFor();
    const messages = page.locator(".transcript .message");
    await expect.poll(() => messages.count()).toBe(2);
    expect(await messages.nth(0).locator(".message__text").innerText()).toBe(question);
    const stored = await messages.nth(1).locator(".message__text").innerText();
    // The stored answer is the markdown the visitor saw rendered: the same sentences.
    expect(stored).toContain("This answer comes from the local offline model, not from Qwen.");
    expect(stored).toContain(question);
    expect(await messages.nth(1).locator("blockquote").innerText()).toBe(question);
    expect(await messages.nth(1).locator(".badge").innerText()).toContain("Complete");
    const tokensIn = await messages.nth(1).locator("dt", { hasText: "Prompt tokens" }).locator("xpath=following-sibling::dd").innerText();
    expect(Number(tokensIn.replace(/,/g, ""))).toBeGreaterThan(0);
    await shot("transcript");

    // Usage shows the answer's tokens.
    await tab("Usage").click();
    await page.locator("figure.chart").first().waitFor();
    const total = async (label: string) =>
      Number(
        (
          await page
            .locator(".total", { has: page.locator("dt", { hasText: new RegExp(`^${label}$`) }) })
            .locator("dd")
            .innerText()
        ).replace(/,/g, ""),
      );
    expect(await total("Prompt tokens")).toBe(Number(tokensIn.replace(/,/g, "")));
    expect(await total("Completion tokens")).toBeGreaterThan(0);
    expect(await total("Conversations")).toBe(1);
    expect(await total("Messages")).toBe(2);
    expect(await page.locator("figure.chart svg[role=img] rect").count()).toBeGreaterThanOrEqual(3); // today's bars
    await shot("usage");

    await tab("API key").click();
    await page.getByRole("heading", { name: "DashScope API key" }).waitFor();
    await page.getByLabel("New API key").fill("sk-e2e-own-key-4321");
    await page.getByRole("button", { name: "Save key" }).click();
    await page.getByText("ending in ••••4321").waitFor();
    expect(await page.content()).not.toContain("sk-e2e-own-key");
    await shot("api-key");

    await page.getByRole("link", { name: "← All sites" }).click();
    await page.getByRole("link", { name: "Harbour Books" }).waitFor();
    await shot("sites");
    expect(problems).toEqual([]);
  });

  it("works at 375 px wide: nothing wider than the screen, the preview below the form", async () => {
    const phone = await context.newPage();
    watch(phone, "375px");
    await phone.setViewportSize({ width: 375, height: 760 });
    await phone.goto(`${demo.api}/dashboard/`);
    await phone.getByRole("link", { name: "Harbour Books" }).click();
    await phone.getByRole("heading", { name: "Bot settings" }).waitFor();
    await phone.locator('iframe[data-preview="shown"]').waitFor({ timeout: 15_000 });
    const overflow = () => phone.evaluate(() => document.documentElement.scrollWidth);
    expect(await overflow()).toBeLessThanOrEqual(375);
    const form = (await phone.locator(".settings-form").boundingBox())!;
    const preview = (await phone.locator(".preview-panel").boundingBox())!;
    expect(preview.y).toBeGreaterThan(form.y + form.height - 1);
    expect(form.width).toBeLessThanOrEqual(375);
    // Every control can be reached and is big enough to tap.
    const small = await phone.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>("main button, main input, main select, main textarea")]
        .filter((el) => el.offsetParent !== null)
        .filter((el) => el.getBoundingClientRect().height < 30)
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    expect(small).toEqual([]);
    await phone.screenshot({ path: join(SHOTS, "dashboard-mobile-375.png") });
    // The header stays one row: brand, language, sign out.
    const bar = (await phone.locator(".topbar").boundingBox())!;
    expect(bar.height).toBeLessThan(70);
    await phone.locator(".preview-panel").scrollIntoViewIfNeeded();
    await phone.screenshot({ path: join(SHOTS, "dashboard-mobile-375-preview.png") });
    for (const name of ["Install", "Conversations", "Usage"]) {
      await phone.getByRole("navigation", { name: "Site sections" }).getByRole("link", { name, exact: true }).click();
      await phone.getByRole("heading", { name, exact: true }).waitFor();
      await phone.waitForTimeout(200);
      expect(await overflow(), name).toBeLessThanOrEqual(375);
    }
    await phone.screenshot({ path: join(SHOTS, "dashboard-mobile-375-usage.png"), fullPage: true });
    await phone.close();
    expect(problems).toEqual([]);
  });

  it("speaks Chinese to a browser that prefers it", async () => {
    const zh = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "zh-CN" });
    const p = await zh.newPage();
    watch(p, "zh-CN");
    await p.goto(`${demo.api}/dashboard/`);
    await p.getByRole("heading", { name: "登录" }).waitFor();
    await p.getByLabel("邮箱").fill(email);
    await p.getByLabel("密码").fill("a long enough password");
    await p.getByRole("button", { name: "登录" }).click();
    await p.getByRole("link", { name: "Harbour Books" }).click();
    await p.getByRole("heading", { name: "机器人设置" }).waitFor();
    await p.locator('iframe[data-preview="shown"]').waitFor({ timeout: 15_000 });
    await p.screenshot({ path: join(SHOTS, "dashboard-zh-settings.png") });
    await p.getByRole("navigation", { name: "站点功能" }).getByRole("link", { name: "用量", exact: true }).click();
    await p.locator("figure.chart").first().waitFor();
    await p.screenshot({ path: join(SHOTS, "dashboard-zh-usage.png"), fullPage: true });
    await zh.close();
    expect(problems).toEqual([]);
  });

  it("is usable with the keyboard alone: skip link, visible focus, tabs", async () => {
    const keys = await context.newPage();
    watch(keys, "keyboard");
    await keys.goto(`${demo.api}/dashboard/`);
    await keys.getByRole("link", { name: "Harbour Books" }).waitFor();
    await keys.keyboard.press("Tab");
    expect(await keys.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    await keys.keyboard.press("Enter");
    // Focus is drawn: a visible outline on whatever has it.
    await keys.keyboard.press("Tab");
    const outline = await keys.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const style = getComputedStyle(el);
      return { tag: el.tagName, width: parseFloat(style.outlineWidth), style: style.outlineStyle };
    });
    expect(outline.style).not.toBe("none");
    expect(outline.width).toBeGreaterThanOrEqual(2);
    await keys.close();
    expect(problems).toEqual([]);
  });
});
