import { readFile } from "node:fs/promises";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { extname, join, normalize } from "node:path";
import { type DashScopeFake, startDashScopeFake } from "./llm/dashscope-fake.js";
import { type Logger, jsonLogger } from "./logger.js";
import { loadConfig } from "./config.js";
import { openDatabase } from "./db/database.js";
import { markEmailVerified } from "./features/account/account.repository.js";
import { findOwnerByEmail, insertOwner } from "./features/auth/auth.repository.js";
import { newId } from "./security/ids.js";
import { hashPassword } from "./security/passwords.js";
import { demoSecret, start } from "./main.js";

/**
 * `npm run demo`: the server (SQLite, and the local DashScope fake when no key is set), a demo
 * owner and site, and a third-party shop page on another origin that embeds the widget.
 */
export const DEMO_EMAIL = "demo@bailian.chat";
export const DEMO_PASSWORD = "demo-password";

export interface RunningDemo {
  /** the demo shop, on its own origin */
  siteOrigin: string;
  /** the server (API, dashboard, widget.js) */
  api: string;
  siteKey: string;
  /** the demo site's id (its dashboard pages are /dashboard/sites/<siteId>/…) */
  siteId: string;
  /** the DashScope fake, when no key was given */
  fake: DashScopeFake | null;
  /** the real model's endpoint, when a key was given */
  model: string | null;
  close(): Promise<void>;
}

/** Starts everything `npm run demo` runs; the browser tests start the very same thing on free ports. */
export async function startDemo(env: Record<string, string | undefined>, logger?: Logger): Promise<RunningDemo> {
  // The demo owner is the demo's operator, on a plan with no ceilings: everything can be tried at once.
  const hosting = { DEFAULT_PLAN: env.DEFAULT_PLAN || "unlimited", OPERATOR_EMAILS: env.OPERATOR_EMAILS || DEMO_EMAIL };
  let config = loadConfig({ BAILIAN_DEMO: "1", ...env, ...hosting, PORT: env.PORT || "8787" }, demoSecret);
  let fake: DashScopeFake | null = null;
  if (!config.dashscope.apiKey) {
    fake = await startDashScopeFake({ port: config.demoPorts.fake });
    // The native base too: Bailian applications, speech synthesis and Wanx go there.
    config = { ...config, dashscope: { ...config.dashscope, apiKey: fake.apiKey, baseUrl: fake.url, nativeBaseUrl: fake.nativeUrl } };
  }
  const demoSite = await listen(config.demoPorts.site);
  const shopHost = `localhost:${(demoSite.address() as AddressInfo).port}`;
  const siteOrigin = `http://${shopHost}`;
  // The shop's pages are the site's knowledge: the outbound guard lets the server fetch them on loopback.
  config = { ...config, fetchAllowHosts: [...config.fetchAllowHosts, shopHost] };
  const server = await start(config, logger);
  await ensureDemoOwner(config.databaseUrl);
  const api = server.config.publicUrl;
  const { siteKey, siteId, cookie } = await ensureDemoSite(api, siteOrigin);
  const serveDemoSite = demoSiteHandler(siteKey, api, siteOrigin);
  // Unhandled, a rejection would end the whole demo, API and all: `GET /%` did, in decodeURIComponent.
  demoSite.on("request", (req, res) => void serveDemoSite(req, res).catch(() => res.writeHead(400).end()));
  await ensureDemoKnowledge(api, cookie, siteId, siteOrigin);
  return {
    siteOrigin,
    api,
    siteKey,
    siteId,
    fake,
    model: fake ? null : config.dashscope.baseUrl,
    async close() {
      demoSite.closeAllConnections();
      await new Promise((r) => demoSite.close(r));
      await server.close();
      await fake?.close();
    },
  };
}

async function main() {
  // Request lines would bury the banner below; errors and start-up facts still show, and a mail
  // (no SMTP_URL in the demo: the log mailer) as a line a developer can read and follow.
  const base = jsonLogger();
  const info = (f: Record<string, unknown>) => {
    if (f.msg === "mail") process.stdout.write(demoMailLine(f));
    else if (f.msg !== "request") base.info(f);
  };
  const demo = await startDemo(process.env, { info, error: base.error });
  const usingFake = demo.fake !== null;
  const { siteOrigin, api } = demo;

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
          : `Qwen at ${demo.model}`
      }`,
      line,
      " Ctrl+C stops everything.",
      "",
    ].join("\n"),
  );

  const stop = async () => {
    await demo.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
}

/** The log mailer's line, for people: who would have got which mail, and the link in it. */
export function demoMailLine(fields: Record<string, unknown>): string {
  return `\n ✉  Mail (${String(fields.kind)}) to ${String(fields.to)}: ${String(fields.subject)}\n    ${String(fields.link ?? "(no link)")}\n\n`;
}

async function call(api: string, path: string, init: RequestInit & { cookie?: string } = {}) {
  const res = await fetch(api + path, {
    ...init,
    headers: { "content-type": "application/json", ...(init.cookie ? { cookie: init.cookie } : {}) },
  });
  return res;
}

/**
 * The demo owner, verified, written straight into the database: its published password is one the
 * sign-up's strength check rightly refuses, and it has no inbox to confirm from.
 */
async function ensureDemoOwner(databaseUrl: string): Promise<void> {
  const { db } = await openDatabase(databaseUrl);
  try {
    const found = await findOwnerByEmail(db, DEMO_EMAIL);
    if (!found) {
      await insertOwner(db, {
        id: newId("own"),
        email: DEMO_EMAIL,
        password_hash: await hashPassword(DEMO_PASSWORD),
        created_at: Date.now(),
        email_verified_at: Date.now(),
        session_version: 0,
        language: null,
        plan_id: null,
        suspended_at: null,
        display_name: null,
      });
    } else if (found.email_verified_at === null) {
      await markEmailVerified(db, found.id, Date.now());
    }
  } finally {
    await db.destroy();
  }
}

/** The demo owner and their site, made once and found again on later runs. */
async function ensureDemoSite(api: string, siteOrigin: string): Promise<{ siteKey: string; siteId: string; cookie: string }> {
  const credentials = JSON.stringify({ email: DEMO_EMAIL, password: DEMO_PASSWORD });
  const res = await call(api, "/api/auth/login", { method: "POST", body: credentials });
  if (!res.ok) throw new Error(`demo sign-in failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get("set-cookie")!.split(";")[0];
  const { sites } = (await (await call(api, "/api/sites", { cookie })).json()) as {
    sites: Array<{ siteKey: string; allowedOrigins: string[]; id: string }>;
  };
  const existing = sites[0];
  if (existing) {
    if (!existing.allowedOrigins.includes(siteOrigin)) {
      await call(api, `/api/sites/${existing.id}`, {
        method: "PATCH",
        cookie,
        body: JSON.stringify({ allowedOrigins: [...existing.allowedOrigins, siteOrigin] }),
      });
    }
    return { siteKey: existing.siteKey, siteId: existing.id, cookie };
  }
  const created = await call(api, "/api/sites", {
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
  if (!created.ok) throw new Error(`demo site creation failed: ${created.status} ${await created.text()}`);
  const { site } = (await created.json()) as { site: { siteKey: string; id: string } };
  // The shop hands a conversation to a person on request: the demo owner's open dashboard rings.
  const handoff = await call(api, `/api/sites/${site.id}`, {
    method: "PATCH",
    cookie,
    body: JSON.stringify({ handoff: { enabled: true } }),
  });
  if (!handoff.ok) throw new Error(`demo handoff could not be turned on: ${handoff.status} ${await handoff.text()}`);
  return { siteKey: site.siteKey, siteId: site.id, cookie };
}

/** The shop's own pages, each a knowledge source of the demo site (once): ask about shipping and the answer cites the Shipping page. */
export const DEMO_PAGES = ["shipping.html", "returns.html", "teas.html"];

async function ensureDemoKnowledge(api: string, cookie: string, siteId: string, siteOrigin: string): Promise<void> {
  const listed = await call(api, `/api/sites/${siteId}/knowledge`, { cookie });
  const { sources } = (await listed.json()) as { sources: Array<{ url: string | null }> };
  for (const page of DEMO_PAGES) {
    const url = `${siteOrigin}/${page}`;
    // By path: a demo started on another shop port keeps the sources it made before.
    if (sources.some((s) => s.url !== null && new URL(s.url).pathname === `/${page}`)) continue;
    const added = await call(api, `/api/sites/${siteId}/knowledge`, { method: "POST", cookie, body: JSON.stringify({ kind: "url", url }) });
    if (!added.ok) throw new Error(`demo knowledge could not be added: ${added.status} ${await added.text()}`);
  }
}

const TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml" };

/** The Content-Security-Policy a site with a strict policy needs for the widget (README, "Install the widget on a site"). */
export function strictCsp(api: string): string {
  return [
    "default-src 'none'",
    `script-src ${api}`,
    `connect-src ${api}`,
    // the page's own stylesheet and icon; the widget needs neither style-src nor img-src (no avatar here)
    "style-src 'self'",
    "img-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
}

function listen(port: number): Promise<Server> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, () => resolve(server));
  });
}

/** The third-party page, on its own port (origin). */
function demoSiteHandler(siteKey: string, api: string, siteOrigin: string) {
  const root = join(import.meta.dirname, "../../demo-site");
  return async (req: IncomingMessage, res: ServerResponse) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", siteOrigin).pathname)).replace(/^(\.\.[/\\])+/, "");
    const file = join(root, path === "/" ? "index.html" : path);
    if (!file.startsWith(root) || extname(file) === ".ts") {
      res.writeHead(404).end();
      return;
    }
    try {
      let body: string | Buffer = await readFile(file);
      const headers: Record<string, string> = { "content-type": TYPES[extname(file)] ?? "application/octet-stream" };
      if (file.endsWith(".html")) {
        // strict-csp.html is served with the policy the README tells site owners to allow, and nothing more.
        const csp = strictCsp(api);
        if (file.endsWith("strict-csp.html")) headers["content-security-policy"] = csp;
        body = body
          .toString("utf8")
          .replaceAll("{{SITE_KEY}}", siteKey)
          .replaceAll("{{WIDGET_SRC}}", `${api}/widget.js`)
          .replaceAll("{{CSP}}", csp.replaceAll("&", "&amp;").replaceAll("<", "&lt;"));
      }
      res.writeHead(200, headers).end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  main().catch((err) => {
    process.stderr.write(`The demo could not start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
