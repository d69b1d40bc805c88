import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningDemo } from "../../src/demo.js";
import { type BrowserDemo, startBrowserDemo } from "./browser-demo.js";
import { HAS_CHROMIUM } from "./browser.js";

/**
 * The widget API refuses requests without an Origin (issue 11, hole 8), but the dashboard's live
 * preview calls it from the server's own origin, where a browser sends no Origin on a GET. This
 * chats in the preview of a site that allows no origin at all, then lets a new preview frame
 * read the conversation back: every widget request must be answered, none refused.
 */
describe.skipIf(!HAS_CHROMIUM)("chatting in the dashboard's preview, in Chromium", () => {
  let demo: RunningDemo;
  let browser: Browser;
  let running: BrowserDemo | undefined;

  beforeAll(async () => {
    running = await startBrowserDemo("preview");
    ({ demo, browser } = running);
  });
  afterAll(() => running?.close());

  it("asks a question in the preview of a site with no allowed origin, and a new preview frame shows it again", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
    const page = await context.newPage();
    const widgetCalls: string[] = [];
    page.on("response", (r) => {
      const url = new URL(r.url());
      if (url.pathname.startsWith("/v1/"))
        widgetCalls.push(`${r.request().method()} ${url.pathname.replace(/conv_[\w-]+/, ":id")} ${r.status()}`);
    });
    // The owner and the site, through the API with the context's cookies.
    const signup = await context.request.post(`${demo.api}/api/auth/signup`, {
      data: { email: `preview-${Date.now()}@example.com`, password: "a long enough password" },
    });
    expect(signup.status()).toBe(201);
    const created = await context.request.post(`${demo.api}/api/sites`, {
      data: { name: "Preview only", allowedOrigins: [], bot: { language: "en" } },
    });
    expect(created.status()).toBe(201);
    const { site } = (await created.json()) as { site: { id: string } };

    await page.goto(`${demo.api}/dashboard/sites/${site.id}/settings`);
    await page.getByRole("heading", { name: "Bot settings" }).waitFor();
    let preview = page.frameLocator('iframe[data-preview="shown"]');
    await preview.getByRole("textbox", { name: "Message" }).waitFor({ timeout: 15_000 });
    await preview.getByRole("textbox", { name: "Message" }).fill("Is the preview a real chat?");
    await preview.getByRole("textbox", { name: "Message" }).press("Enter");
    await preview.getByText("This answer comes from the local offline model").waitFor({ timeout: 15_000 });
    await preview.getByRole("button", { name: "Stop the answer" }).waitFor({ state: "detached", timeout: 15_000 });

    // New settings make a new frame: its widget reads the conversation back, same-origin.
    await page.getByLabel("Bot name", { exact: true }).fill("Renamed helper");
    preview = page.frameLocator('iframe[data-preview="shown"]');
    await expect.poll(() => preview.locator("bailian-chat .head").innerText(), { timeout: 15_000 }).toContain("Renamed helper");
    await expect.poll(() => preview.locator("[role=log]").innerText(), { timeout: 10_000 }).toContain("Is the preview a real chat?");

    expect(widgetCalls.filter((c) => !/ 20\d$/.test(c))).toEqual([]);
    expect(widgetCalls).toContain("GET /v1/conversations/:id/messages 200");
    await context.close();
  });
});
