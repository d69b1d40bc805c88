import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";
import { startDashScopeFake } from "./llm/dashscope-fake.js";
import { start } from "./main.js";

/**
 * `npm run demo`: the server (SQLite, and the local DashScope fake when no key is set), a demo
 * owner and site, and a third-party shop page on another origin that embeds the widget.
 */
const DEMO_EMAIL = "demo@bailian.chat";
const DEMO_PASSWORD = "demo-password";
const env = { ...process.env };
const serverPort = Number(env.PORT || 8787);
const sitePort = Number(env.DEMO_SITE_PORT || 8788);
const siteOrigin = `http://localhost:${sitePort}`;

async function main() {
  let usingFake = false;
  if (!env.DASHSCOPE_API_KEY) {
    const fake = await startDashScopeFake({ port: Number(env.DEMO_FAKE_PORT || 0) });
    env.DASHSCOPE_API_KEY = fake.apiKey;
    env.DASHSCOPE_BASE_URL = fake.url;
    usingFake = true;
  }
  const server = await start({ BAILIAN_DEMO: "1", PUBLIC_URL: `http://localhost:${serverPort}`, ...env, PORT: String(serverPort) });
  const api = `http://localhost:${serverPort}`;
  const siteKey = await ensureDemoSite(api);
  const demoSite = await serveDemoSite(siteKey, api);

  const line = "─".repeat(64);
  process.stdout.write(
    [
      "",
      line,
      " Bailian Chat demo is running",
      line,
      ` Demo shop (another origin):  ${siteOrigin}`,
      ` Dashboard:                   ${api}/dashboard`,
      ` Login:                       ${DEMO_EMAIL} / ${DEMO_PASSWORD}`,
      ` API:                         ${api}/api/openapi.json`,
      ` Model:                       ${
        usingFake
          ? "LOCAL OFFLINE FAKE (no DASHSCOPE_API_KEY set) — answers are canned; set DASHSCOPE_API_KEY for real Qwen"
          : `Qwen at ${env.DASHSCOPE_BASE_URL || "the Beijing endpoint"}`
      }`,
      line,
      " Ctrl+C stops everything.",
      "",
    ].join("\n"),
  );

  const stop = async () => {
    demoSite.close();
    await server.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

async function call(api: string, path: string, init: RequestInit & { cookie?: string } = {}) {
  const res = await fetch(api + path, {
    ...init,
    headers: { "content-type": "application/json", ...(init.cookie ? { cookie: init.cookie } : {}) },
  });
  return res;
}

/** The demo owner and their site, made once and found again on later runs. */
async function ensureDemoSite(api: string): Promise<string> {
  const credentials = JSON.stringify({ email: DEMO_EMAIL, password: DEMO_PASSWORD });
  let res = await call(api, "/api/auth/login", { method: "POST", body: credentials });
  if (res.status === 401) res = await call(api, "/api/auth/signup", { method: "POST", body: credentials });
  if (!res.ok) throw new Error(`demo sign-in failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get("set-cookie")!.split(";")[0];
  const { sites } = (await (await call(api, "/api/sites", { cookie })).json()) as { sites: Array<{ siteKey: string; allowedOrigins: string[]; id: string }> };
  const existing = sites[0];
  if (existing) {
    if (!existing.allowedOrigins.includes(siteOrigin)) {
      await call(api, `/api/sites/${existing.id}`, { method: "PATCH", cookie, body: JSON.stringify({ allowedOrigins: [...existing.allowedOrigins, siteOrigin] }) });
    }
    return existing.siteKey;
  }
  res = await call(api, "/api/sites", {
    method: "POST",
    cookie,
    body: JSON.stringify({
      name: "Lantern Tea House",
      allowedOrigins: [siteOrigin],
      bot: {
        displayName: "Lantern Tea Assistant",
        primaryColor: "#3d5a40",
        welcomeMessage: "Hello! Ask me about our teas, shipping or brewing. 你好，欢迎咨询！",
        suggestedQuestions: ["Which tea is good for beginners?", "运费怎么算？", "How do I brew Longjing?"],
        systemPrompt: "You are the assistant of Lantern Tea House, a small online tea shop. Be brief and friendly.",
        language: "en",
      },
    }),
  });
  if (!res.ok) throw new Error(`demo site creation failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { site: { siteKey: string } }).site.siteKey;
}

const TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".js": "text/javascript" };

/** The third-party page, on its own port (origin). */
async function serveDemoSite(siteKey: string, api: string) {
  const root = join(import.meta.dirname, "../../demo-site");
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", siteOrigin).pathname)).replace(/^(\.\.[/\\])+/, "");
    const file = join(root, path === "/" ? "index.html" : path);
    if (!file.startsWith(root) || extname(file) === ".ts") {
      res.writeHead(404).end();
      return;
    }
    try {
      let body: string | Buffer = await readFile(file);
      if (file.endsWith(".html")) body = body.toString("utf8").replaceAll("{{SITE_KEY}}", siteKey).replaceAll("{{WIDGET_SRC}}", `${api}/widget.js`);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise<void>((resolve) => server.listen(sitePort, resolve));
  return server;
}

main().catch((err) => {
  process.stderr.write(`The demo could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
