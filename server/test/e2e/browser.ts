import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type Page, chromium } from "playwright-core";

/** Debian's Chromium (`apt-get install chromium`); never a downloaded browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
export const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM)
  process.stdout.write(
    `[bailian-chat] ${CHROMIUM} not found: the real-browser tests are skipped (apt-get install -y chromium fonts-noto-cjk).\n`,
  );

/** Where the browser tests leave their screenshots. */
export const SHOTS = join(process.cwd(), "test-results", "e2e");

/**
 * `extraArgs`: e.g. Chromium's fake microphone (`--use-fake-device-for-media-stream`, a beeping
 * tone) and its permission prompt answered yes (`--use-fake-ui-for-media-stream`).
 */
export function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-quic",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
      ...extraArgs,
    ],
  });
}

/** What goes wrong on a page from now on: uncaught errors, 4xx/5xx responses, console errors and CSP refusals. */
export function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("response", (r) => {
    if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
  });
  page.on("console", (m) => {
    // Failed loads are reported above with their URL.
    if (/Failed to load resource/.test(m.text())) return;
    if (m.type() === "error" || /Content Security Policy|Refused to/i.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  return problems;
}

/** Starts recording the widget transcript's text length at every frame; `read` answers what was seen, to show an answer arrived in steps. */
export async function watchTranscriptLength(page: Page): Promise<{ read(): Promise<number[]> }> {
  await page.evaluate(() => {
    const w = window as unknown as { __lengths: number[] };
    w.__lengths = [];
    const sample = () => {
      const log = document.querySelector("bailian-chat")?.shadowRoot?.querySelector("[role=log]");
      w.__lengths.push(log?.textContent?.length ?? 0);
      if (w.__lengths.length < 2000) requestAnimationFrame(sample);
    };
    requestAnimationFrame(sample);
  });
  return { read: () => page.evaluate(() => (window as unknown as { __lengths: number[] }).__lengths) };
}
