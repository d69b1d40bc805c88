import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { type RunningDemo, startDemo } from "../../src/demo.js";
import { memoryLogger } from "../../src/logger.js";
import { freePort } from "../support/ports.js";
import { launchBrowser } from "./browser.js";

export interface BrowserDemo {
  demo: RunningDemo;
  browser: Browser;
  /** closes the browser and the demo, and removes the demo's data folder */
  close(): Promise<void>;
}

/**
 * What `npm run demo` starts (the built widget and dashboard, the demo shop on its own origin), on
 * free ports with a fresh data folder, and a Chromium to drive it.
 */
export async function startBrowserDemo(name: string, browserArgs: string[] = []): Promise<BrowserDemo> {
  for (const file of ["dist/widget/widget.js", "dist/dashboard/index.html", "dist/dashboard/preview.html"]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: \`npm test\` builds it (node build.mjs)`);
  }
  const dir = mkdtempSync(join(tmpdir(), `bc-e2e-${name}-`));
  let demo: RunningDemo | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await demo?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
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
    browser = await launchBrowser(browserArgs);
    return { demo, browser, close };
  } catch (err) {
    await close();
    throw err;
  }
}
