import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningDemo, startDemo } from "../../src/demo.js";
import { memoryLogger } from "../../src/logger.js";
import { freePort } from "../support/ports.js";
import { HAS_CHROMIUM, SHOTS, collectProblems, launchBrowser, watchTranscriptLength } from "./browser.js";

// The widget in a real browser, on the demo shop served from another origin than the API —
// exactly what `npm run demo` starts, on free ports, with the built widget (dist/widget).
describe.skipIf(!HAS_CHROMIUM)("the widget in Chromium on the demo site", () => {
  let demo: RunningDemo;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    if (!existsSync("dist/widget/widget.js")) throw new Error("dist/widget is missing: `npm test` builds it (npm run build:widget)");
    dir = mkdtempSync(join(tmpdir(), "bc-e2e-"));
    const port = await freePort();
    demo = await startDemo(
      { PORT: String(port), DEMO_SITE_PORT: String(await freePort()), DATA_DIR: dir, WIDGET_DIR: "dist/widget" },
      memoryLogger(),
    );
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function openPage(
    path: string,
    viewport = { width: 1280, height: 800 },
  ): Promise<{ page: Page; context: BrowserContext; problems: string[] }> {
    const context = await browser.newContext({ viewport, locale: "en-US" });
    const page = await context.newPage();
    const problems = collectProblems(page);
    await page.goto(`${demo.siteOrigin}${path}`);
    return { page, context, problems };
  }

  const launcher = (page: Page) => page.getByRole("button", { name: /Open chat with Lantern Tea Assistant/ });
  const composer = (page: Page) => page.getByRole("textbox", { name: "Message" });

  /** Sends a question and follows the answer as it streams in; answers the transcript lengths seen on the way, one per frame. */
  async function askAndWatch(page: Page, question: string): Promise<number[]> {
    const lengths = await watchTranscriptLength(page);
    await composer(page).fill(question);
    await composer(page).press("Enter");
    // The offline model's answers, from the shop's knowledge or not, all say what they are.
    await page
      .getByText(/Offline demo reply/)
      .last()
      .waitFor({ timeout: 10_000 });
    // The answer is over when the stop button gives way to the send button again.
    await page.getByRole("button", { name: "Stop the answer" }).waitFor({ state: "detached", timeout: 10_000 });
    const transcript = page.locator("[role=log]");
    await expect.poll(() => transcript.innerText()).toContain(question);
    await expect.poll(() => transcript.innerText()).toMatch(/Offline demo reply/);
    return lengths.read();
  }

  it("opens from the launcher, streams an answer, and shows the history again after a reload", async () => {
    const { page, context, problems } = await openPage("/");
    await launcher(page).click();
    await expect.poll(() => page.getByText("Ask me about our teas").count()).toBe(1);
    const lengths = await askAndWatch(page, "Which tea suits a beginner?");
    // Streaming: the transcript grew in many steps while the answer came in, not all at once.
    expect(new Set(lengths).size).toBeGreaterThan(10);
    await page.screenshot({ path: join(SHOTS, "widget-open-desktop.png") });

    await page.reload();
    await launcher(page).click();
    await expect.poll(() => page.locator("[role=log]").innerText(), { timeout: 10_000 }).toContain("Which tea suits a beginner?");
    await expect.poll(() => page.locator("[role=log]").innerText()).toMatch(/Offline demo reply/);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("looks and works the same on a page with hostile CSS", async () => {
    const { page, context, problems } = await openPage("/hostile.html");
    const button = launcher(page);
    await button.waitFor();
    const box = (await button.boundingBox())!;
    expect(box.width).toBeGreaterThan(30);
    expect(box.x + box.width).toBeLessThanOrEqual(1280);
    expect(await button.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe("rgb(61, 90, 64)");
    await button.click();
    await askAndWatch(page, "Do you ship to Shanghai?");
    const panel = page.getByRole("dialog");
    const panelBox = (await panel.boundingBox())!;
    expect(panelBox.width).toBeGreaterThan(300);
    expect(panelBox.height).toBeGreaterThan(300);
    await page.screenshot({ path: join(SHOTS, "widget-hostile-css.png") });
    expect(problems).toEqual([]);
    await context.close();
  });

  it("is full-screen and usable at 375 px wide", async () => {
    const { page, context, problems } = await openPage("/", { width: 375, height: 740 });
    await launcher(page).click();
    const panel = page.getByRole("dialog");
    await panel.waitFor();
    const box = (await panel.boundingBox())!;
    expect(Math.round(box.width)).toBe(375);
    expect(Math.round(box.x)).toBe(0);
    expect(await composer(page).evaluate((el) => parseFloat(getComputedStyle(el).fontSize))).toBeGreaterThanOrEqual(16);
    await askAndWatch(page, "Longjing price?");
    await page.screenshot({ path: join(SHOTS, "widget-mobile-375.png") });
    expect(problems).toEqual([]);
    await context.close();
  });

  it("runs under a strict Content-Security-Policy that allows only the widget's origin", async () => {
    const { page, context, problems } = await openPage("/strict-csp.html");
    await launcher(page).click();
    await askAndWatch(page, "Does it work under CSP?");
    await page.screenshot({ path: join(SHOTS, "widget-strict-csp.png") });
    expect(problems).toEqual([]);
    await context.close();
  });
});
