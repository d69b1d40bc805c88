import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { type Server, createServer } from "node:http";
import { createServer as createTcpServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, resolve } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DashScopeFake, startDashScopeFake } from "../../src/llm/dashscope-fake.js";
import { followLogs } from "../support/child-logs.js";
import { TEST_MYSQL_URL, type TestDatabase, createTestDatabase } from "../support/databases.js";
import { type FcFront, startFcFront } from "../support/fc-front.js";
import { TEST_SECRET } from "../support/harness.js";
import { freePort } from "../support/ports.js";
import { type Props, deployerVariables, functions, loadSpec } from "../support/s-yaml.js";
import { HAS_CHROMIUM, SHOTS, collectProblems, launchBrowser, watchTranscriptLength } from "./browser.js";

// The built server started exactly as Function Compute starts it from s.yaml: the code directory
// (dist/server, copied the way FC unpacks it, alone, as /code), customRuntimeConfig's command and
// args, the port, s.yaml's environment variables and FC's own, behind an FC-like front that adds
// FC's request headers. The one substitution: this machine's node for /opt/nodejs22/bin/node.
// Then a shop page on another origin loads widget.js from that front and chats.

const ROOT = resolve(import.meta.dirname, "../../..");
const S_YAML = join(ROOT, "s.yaml");
const ANSWER_CHUNKS = [
  "Our West Lake Longjing ",
  "is pan-fired by hand ",
  "in Hangzhou: ",
  "chestnut notes, ",
  "a pale green cup, ",
  "and it suits ",
  "a beginner well. ",
  "Brew it at 80 °C ",
  "for two minutes.",
];
const ANSWER = ANSWER_CHUNKS.join("");

/** The deployer's environment for s.yaml, with test values (the ones the server reads are real). */
function deployerEnv(overrides: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, fallback] of deployerVariables(S_YAML)) if (fallback === undefined) env[name] = `test-${name.toLowerCase()}`;
  return { ...env, ...overrides };
}

/** Fails with a sentence when FC's port is taken here, instead of a server that cannot listen. */
async function ensurePortFree(port: number): Promise<void> {
  await new Promise<void>((resolvePort, reject) => {
    const probe = createTcpServer();
    probe.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          `port ${port} (s.yaml customRuntimeConfig.port, Function Compute's) is taken on this machine (${err.code}): stop what listens there and run the test again`,
        ),
      ),
    );
    probe.listen(port, "0.0.0.0", () => probe.close(() => resolvePort()));
  });
}

/** The code directory alone, as FC unpacks it: nothing from the repository beside it. */
function unpackCode(codeDir: string, into: string): string {
  const code = join(into, "code");
  cpSync(codeDir, code, { recursive: true });
  return code;
}

interface Instance {
  process: ChildProcess;
  lines: Array<Record<string, unknown>>;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns customRuntimeConfig's command and args in the code directory, with exactly `env`. */
function spawnInstance(props: Props, code: string, env: Record<string, string>): Instance {
  const [command, ...commandArgs] = props.customRuntimeConfig.command as string[];
  // The layer's binary (/opt/nodejs22/bin/node) is not on this machine: the only substitution.
  expect(command).toMatch(/\/bin\/node$/);
  const child = spawn(process.execPath, [...commandArgs, ...(props.customRuntimeConfig.args as string[])], {
    cwd: code,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const { lines, stderr } = followLogs(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once("exit", (code, signal) => done({ code, signal })),
  );
  return { process: child, lines, stderr, exited };
}

async function waitForLine(instance: Instance, match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  for (let i = 0; i < 600; i++) {
    const found = instance.lines.find(match);
    if (found) return found;
    if (instance.process.exitCode !== null) throw new Error(`the server exited (${instance.process.exitCode}): ${instance.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no such log line; stderr: ${instance.stderr()}`);
}

/** The demo shop's page on an origin of its own, embedding widget.js from `widgetOrigin`. */
async function startShop(siteKey: () => string, widgetOrigin: () => string): Promise<{ server: Server; origin: string }> {
  const root = join(ROOT, "demo-site");
  const types: Record<string, string> = { ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml" };
  const server = createServer((req, res) => {
    const name = new URL(req.url ?? "/", "http://shop").pathname;
    const file = { "/": "index.html", "/shop.css": "shop.css", "/favicon.svg": "favicon.svg" }[name];
    if (!file) return void res.writeHead(404).end();
    let body: string | Buffer = readFileSync(join(root, file));
    if (file.endsWith(".html"))
      body = body.toString("utf8").replaceAll("{{SITE_KEY}}", siteKey()).replaceAll("{{WIDGET_SRC}}", `${widgetOrigin()}/widget.js`);
    res.writeHead(200, { "content-type": types[extname(file)] }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { server, origin: `http://localhost:${(server.address() as AddressInfo).port}` };
}

describe("the built server started as Function Compute starts it (s.yaml)", () => {
  let work: string;
  let database: TestDatabase | undefined;
  let fake: DashScopeFake;
  let front: FcFront;
  let instance: Instance;
  let props: Props;
  let databaseUrl: string;

  beforeAll(async () => {
    if (!existsSync(join(ROOT, "dist/server/server.mjs"))) {
      process.stdout.write("[fc-local] dist/server is missing: building it (npm test builds it first)\n");
      execFileSync(process.execPath, ["build.mjs"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
    }
    work = mkdtempSync(join(tmpdir(), "bc-fc-local-"));
    fake = await startDashScopeFake();
    // The port and function come from s.yaml; the domain (PUBLIC_URL) is the front's, known once it listens.
    const [[, draft]] = functions(loadSpec(S_YAML, deployerEnv({ BC_DOMAIN: "placeholder.invalid" })));
    const port = draft.props.customRuntimeConfig.port as number;
    await ensurePortFree(port);
    const trigger = (draft.props.triggers as Props[]).find((t) => t.triggerType === "http")!;
    front = await startFcFront(
      { host: "127.0.0.1", port },
      {
        functionName: draft.props.functionName,
        region: draft.props.region,
        accountId: "1234567890123456",
        qualifier: trigger.qualifier ?? "LATEST",
        memorySize: draft.props.memorySize,
      },
    );

    const code = unpackCode(resolve(ROOT, draft.props.code), work);
    if (TEST_MYSQL_URL) {
      database = await createTestDatabase("mysql");
      databaseUrl = database.url;
    } else {
      // On FC the database is MySQL. Without one here, SQLite, whose native module is not part
      // of the code directory (build.mjs leaves it out): linked in for this local run only.
      process.stdout.write(
        "[fc-local] TEST_MYSQL_URL is not set: the FC-like run uses SQLite, with better-sqlite3 linked into the copied code directory\n",
      );
      mkdirSync(join(code, "node_modules"));
      symlinkSync(join(ROOT, "node_modules/better-sqlite3"), join(code, "node_modules/better-sqlite3"), "dir");
      databaseUrl = `sqlite:${join(work, "data/bailian-chat.sqlite")}`;
    }

    const spec = loadSpec(
      S_YAML,
      deployerEnv({
        BC_DOMAIN: new URL(front.url).host,
        DATABASE_URL: databaseUrl,
        APP_SECRET: TEST_SECRET,
        // the timer trigger's secret: as strong as APP_SECRET must be
        INVOKE_SECRET: `invoke-${TEST_SECRET}`,
        DASHSCOPE_API_KEY: fake.apiKey,
        DASHSCOPE_BASE_URL: fake.url,
        // A bucket name OSS accepts (the files themselves are not used by this test).
        BC_BUCKET: "bailian-chat-fc-local",
        BC_MEDIA_DOMAIN: "media.fc-local.invalid",
      }),
    );
    [[, { props }]] = functions(spec);
    instance = spawnInstance(props, code, {
      // What the runtime gives every process, then the function's variables, then FC's own.
      PATH: "/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin",
      ...(props.environmentVariables as Record<string, string>),
      FC_CUSTOM_LISTEN_PORT: String(port),
      FC_FUNCTION_NAME: props.functionName,
      FC_FUNCTION_MEMORY_SIZE: String(props.memorySize),
      FC_REGION: props.region,
      FC_ACCOUNT_ID: "1234567890123456",
      FC_INSTANCE_ID: "c-local-fc-test-instance",
      FC_FUNC_CODE_PATH: code,
      FC_FUNCTION_VERSION: "LATEST",
      // The function has a role (s.yaml): FC sets its temporary credentials (platform-next.md §2a).
      ALIBABA_CLOUD_ACCESS_KEY_ID: "STS.fc-local-key-id",
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: "fc-local-key-secret",
      ALIBABA_CLOUD_SECURITY_TOKEN: "fc-local-security-token",
    });
    await waitForLine(instance, (l) => l.msg === "listening");
  }, 120_000);

  afterAll(async () => {
    if (instance?.process.exitCode === null) instance.process.kill("SIGKILL");
    await front?.close();
    await fake?.close();
    await database?.drop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const call = (path: string, init: RequestInit = {}) => fetch(front.url + path, init);
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    call(path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

  it("listens on s.yaml's port on every interface, and serves the widget and the dashboard from its own code directory", async () => {
    const listening = instance.lines.find((l) => l.msg === "listening")!;
    expect(listening.url).toBe(`http://0.0.0.0:${props.customRuntimeConfig.port}/`);
    expect(listening.database).toBe(TEST_MYSQL_URL ? "mysql" : "sqlite");

    const widget = await call("/widget.js");
    expect(widget.status).toBe(200);
    expect(await widget.text()).toBe(readFileSync(join(ROOT, "dist/widget/widget.js"), "utf8"));
    const dashboard = await call("/dashboard", { headers: { accept: "text/html" } });
    expect(dashboard.status).toBe(200);
    expect(await dashboard.text()).toBe(readFileSync(join(ROOT, "dist/dashboard/index.html"), "utf8"));
    // The server logs FC's request id as its own.
    const logged = instance.lines.filter((l) => l.msg === "request" && l.route === "/widget.js");
    expect(logged.map((l) => l.requestId).every((id) => front.requestIds.includes(id as string))).toBe(true);
    expect(logged.length).toBe(1);
  });

  describe.skipIf(!HAS_CHROMIUM)("in Chromium", () => {
    let browser: Browser;
    let shop: { server: Server; origin: string };
    let siteKey = "";
    beforeAll(async () => {
      shop = await startShop(
        () => siteKey,
        () => front.url,
      );
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
      shop?.server.closeAllConnections();
      await new Promise((r) => shop?.server.close(r));
    });

    it("a shop on another origin embeds widget.js from the function, chats, and the conversation is stored", async () => {
      // The owner and the site, through the public API, as an operator would.
      const signup = await post("/api/auth/signup", { email: "fc-local@example.com", password: "correct horse battery" });
      expect(signup.status).toBe(201);
      const cookie = signup.headers.get("set-cookie")!.split(";")[0];
      const created = await post(
        "/api/sites",
        {
          name: "Lantern Tea House",
          allowedOrigins: [shop.origin],
          bot: { displayName: "Lantern Tea Assistant", welcomeMessage: "Hello! Ask me about our teas.", language: "en" },
        },
        { cookie },
      );
      expect(created.status).toBe(201);
      const { site } = (await created.json()) as { site: { id: string; siteKey: string } };
      siteKey = site.siteKey;

      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" });
      const page = await context.newPage();
      const problems = collectProblems(page);
      await page.goto(shop.origin);
      expect(await page.evaluate(() => document.querySelector("script[data-site-key]")?.getAttribute("src"))).toBe(
        `${front.url}/widget.js`,
      );

      fake.enqueue({ kind: "answer", text: ANSWER, chunks: ANSWER_CHUNKS, chunkDelayMs: 60 });
      await page.getByRole("button", { name: /Open chat with Lantern Tea Assistant/ }).click();
      const watched = await watchTranscriptLength(page);
      const composer = page.getByRole("textbox", { name: "Message" });
      await composer.fill("Which tea suits a beginner?");
      await composer.press("Enter");
      await page.getByRole("button", { name: "Stop the answer" }).waitFor({ state: "detached", timeout: 15_000 });
      const transcript = page.locator("[role=log]");
      await expect.poll(() => transcript.innerText()).toContain("Which tea suits a beginner?");
      await expect.poll(() => transcript.innerText()).toContain(ANSWER);
      // Streamed through the front, not delivered at the end in one piece.
      const lengths = await watched.read();
      expect(new Set(lengths).size).toBeGreaterThan(ANSWER_CHUNKS.length / 2);
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, "fc-local-chat.png") });
      expect(problems).toEqual([]);
      await context.close();

      // What the owner reads back: the conversation, the question and the whole answer.
      const list = await call(`/api/sites/${site.id}/conversations`, { headers: { cookie } });
      expect(list.status).toBe(200);
      const { conversations } = (await list.json()) as { conversations: Array<{ id: string; messageCount: number }> };
      expect(conversations.map((c) => c.messageCount)).toEqual([2]);
      const detail = await call(`/api/sites/${site.id}/conversations/${conversations[0].id}`, { headers: { cookie } });
      const { messages } = (await detail.json()) as { messages: Array<{ role: string; content: string; status: string }> };
      expect(messages.map((m) => [m.role, m.content, m.status])).toEqual([
        ["user", "Which tea suits a beginner?", "complete"],
        ["assistant", ANSWER, "complete"],
      ]);
      // The chat request reached the function with FC's request id, which the server logged.
      const chat = instance.lines.find((l) => l.msg === "request" && l.method === "POST" && String(l.route).endsWith("/messages"));
      expect(front.requestIds).toContain(chat?.requestId);
    });
  });

  it("answers FC's PreStop hook through the front with 200 drained, and goes on serving", async () => {
    const res = await call("/pre-stop");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "drained", answersInFlight: 0 });
    expect((await call("/health")).status).toBe(200);
    // FC refuses custom x-fc-* response headers: the server sent none on any answer.
    expect(front.forbiddenResponseHeaders).toEqual([]);
  });

  it("stops on SIGTERM with exit code 0", async () => {
    instance.process.kill("SIGTERM");
    expect(await instance.exited).toEqual({ code: 0, signal: null });
  });
});

describe("the code directory alone, with a sqlite: DATABASE_URL", () => {
  it("refuses to start with a sentence that says to use MySQL, not a module-resolution stack trace", async () => {
    const work = mkdtempSync(join(tmpdir(), "bc-fc-sqlite-"));
    try {
      const code = unpackCode(join(ROOT, "dist/server"), work);
      for (const databaseUrl of [`sqlite:${join(work, "data.sqlite")}`, undefined]) {
        const child = spawnInstance({ customRuntimeConfig: { command: ["/opt/nodejs22/bin/node"], args: ["server.mjs"] } }, code, {
          PATH: "/usr/bin:/bin",
          APP_SECRET: TEST_SECRET,
          FC_CUSTOM_LISTEN_PORT: String(await freePort()),
          ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
        });
        expect(await child.exited).toEqual({ code: 78, signal: null });
        expect(child.stderr()).toMatch(/^Invalid configuration:\n {2}- DATABASE_URL: .*better-sqlite3 package cannot be found/);
        expect(child.stderr()).toContain("DATABASE_URL=mysql://");
        expect(child.stderr()).not.toMatch(/ERR_MODULE_NOT_FOUND|\n\s+at /);
        expect(child.lines.some((l) => l.msg === "listening")).toBe(false);
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
