import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DashScopeFake, startDashScopeFake } from "../src/llm/dashscope-fake.js";
import { memoryLogger } from "../src/logger.js";
import { loadConfig } from "../src/config.js";
import { type StartedServer, start } from "../src/main.js";
import { SITE_ORIGIN } from "./support/harness.js";
import { serverEnv } from "./support/server-process.js";

// The composition root on a real port: what `npm start` and Function Compute run.
describe("the server on a real port", () => {
  let fake: DashScopeFake;
  let server: StartedServer;
  let dir: string;
  let base: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "bc-main-"));
    fake = await startDashScopeFake();
    server = await start(loadConfig(serverEnv(dir, fake)), memoryLogger());
    base = server.url.replace(/\/$/, "");
  });
  afterAll(async () => {
    await server.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) =>
    fetch(base + path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body), signal });

  it("answers /health from the SQLite file under DATA_DIR", async () => {
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", database: "sqlite" });
  });

  it("a visitor who drops the connection mid-answer still gets the whole answer stored", async () => {
    const signup = await post("/api/auth/signup", { email: "real-port@example.com", password: "correct horse battery" });
    const cookie = signup.headers.get("set-cookie")!.split(";")[0];
    const { site } = await (await post("/api/sites", { name: "Shop", allowedOrigins: [SITE_ORIGIN] }, { cookie })).json();
    const { token } = await (await post(`/v1/widget/${site.siteKey}/sessions`, {}, { origin: SITE_ORIGIN })).json();
    const headers = { origin: SITE_ORIGIN, authorization: `Bearer ${token}` };
    const { conversation } = await (await post("/v1/conversations", {}, headers)).json();

    const text = "Streaming over a real socket that the visitor closes early. ".repeat(5);
    fake.enqueue({ kind: "answer", text, chunkDelayMs: 10 });
    const controller = new AbortController();
    const res = await post(`/v1/conversations/${conversation.id}/messages`, { content: "Tell me a story" }, headers, controller.signal);
    const reader = res.body!.getReader();
    let received = "";
    while (!received.includes("event: delta")) received += new TextDecoder().decode((await reader.read()).value);
    controller.abort(); // the tab closes: the TCP connection goes away

    // Read back through the visitor API until the answer is there (the server finishes it in the background).
    let messages: Array<{ role: string; content: string; status: string }> = [];
    for (let i = 0; i < 100 && (messages.length < 2 || messages[1].status === "streaming"); i++) {
      await new Promise((r) => setTimeout(r, 50));
      messages = (await (await fetch(`${base}/v1/conversations/${conversation.id}/messages`, { headers })).json()).messages;
    }
    expect(messages.map((m) => [m.role, m.content, m.status])).toEqual([
      ["user", "Tell me a story", "complete"],
      ["assistant", text, "complete"],
    ]);
  });
});
