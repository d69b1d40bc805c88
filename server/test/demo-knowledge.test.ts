import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningDemo, startDemo } from "../src/demo.js";
import { memoryLogger } from "../src/logger.js";
import { readSse } from "./support/harness.js";
import { freePort } from "./support/ports.js";

describe("npm run demo answers from the shop's own pages", () => {
  let demo: RunningDemo;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "bc-demo-knowledge-"));
    demo = await startDemo(
      { PORT: String(await freePort()), DEMO_SITE_PORT: String(await freePort()), DATA_DIR: dir, WIDGET_DIR: "dist/widget" },
      memoryLogger(),
    );
  });
  afterAll(async () => {
    await demo.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a visitor of the shop asks about shipping; the offline answer quotes the Shipping page and cites it with its address", async () => {
    const origin = demo.siteOrigin;
    const session = await fetch(`${demo.api}/v1/widget/${demo.siteKey}/sessions`, { method: "POST", headers: { origin } });
    const { token } = (await session.json()) as { token: string };
    const headers = { origin, authorization: `Bearer ${token}`, "content-type": "application/json" };
    const conv = await fetch(`${demo.api}/v1/conversations`, { method: "POST", headers });
    const { conversation } = (await conv.json()) as { conversation: { id: string } };
    const res = await fetch(`${demo.api}/v1/conversations/${conversation.id}/messages`, {
      method: "POST",
      headers,
      body: JSON.stringify({ content: "How much does shipping cost?" }),
    });
    const events = await readSse(res);
    const text = events
      .filter((e) => e.event === "delta")
      .map((e) => e.data.text)
      .join("");
    const done = events.find((e) => e.event === "done")!.data;
    expect(done.sources).toEqual([
      { n: 1, title: expect.stringMatching(/^Shipping\b/), url: `${origin}/shipping.html`, sourceId: expect.any(String) },
    ]);
    expect(text).toMatch(/\[1\]/);
    expect(text).toMatch(/Hangzhou|¥199/);
  });
});
