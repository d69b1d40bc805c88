import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { HASHED_CACHE, LOADER_CACHE, planUpload } from "../../scripts/deploy-widget.js";

// `npm run deploy:widget` as an operator runs it: the real script in a child process, talking
// over real HTTP through ali-oss to a local stand-in for OSS that records what it was sent.

const JS = "application/javascript; charset=utf-8";
const SECRET = "s3cret-value-that-must-never-be-printed";
const STS = "sts-token-that-must-never-be-printed";

interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

/** Answers what `reply` says (default: 200 with an ETag) and records every request. */
function fakeOss() {
  const requests: Recorded[] = [];
  let reply: (req: Recorded, res: ServerResponse) => boolean = () => false;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://fake");
      const rec = {
        method: req.method ?? "",
        path: decodeURIComponent(url.pathname),
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(rec);
      if (reply(rec, res)) return;
      res.writeHead(200, { etag: '"d41d8cd98f00b204e9800998ecf8427e"', "x-oss-request-id": "fake-1" }).end();
    });
  });
  return {
    requests,
    server,
    onRequest(fn: typeof reply) {
      reply = fn;
    },
    reset() {
      requests.length = 0;
      reply = () => false;
    },
  };
}

const ossError = (res: ServerResponse, status: number, code: string, message: string) =>
  res
    .writeHead(status, { "content-type": "application/xml", "x-oss-request-id": "fake-err" })
    .end(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>fake-err</RequestId></Error>`,
    );

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // The parent's own OSS_* (an operator's shell) must not leak into what is being tested.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("OSS_")));
  return new Promise((resolve, reject) => {
    // Asynchronous on purpose: the fake OSS lives in this process and must keep answering.
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/deploy-widget.ts", ...args], { env: { ...base, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("deploy:widget", () => {
  let dir: string;
  let build: string;
  const oss = fakeOss();
  let endpoint: string;
  let creds: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "bc-deploy-"));
    build = join(dir, "widget");
    mkdirSync(build);
    writeFileSync(join(build, "widget.js"), '(()=>{var s="chat-abc12345.js"})();\n');
    writeFileSync(join(build, "chat-abc12345.js"), "(()=>{" + "x".repeat(5000) + "})();\n");
    writeFileSync(join(build, "chat-abc12345.js.map"), '{"version":3}');
    await new Promise<void>((resolve) => oss.server.listen(0, "127.0.0.1", resolve));
    endpoint = `http://127.0.0.1:${(oss.server.address() as { port: number }).port}`;
    creds = {
      OSS_REGION: "oss-cn-hangzhou",
      OSS_BUCKET: "bc-widget-test",
      OSS_ACCESS_KEY_ID: "test-akid",
      OSS_ACCESS_KEY_SECRET: SECRET,
      OSS_ENDPOINT: endpoint,
    };
  });
  afterEach(() => oss.reset());
  afterAll(async () => {
    await new Promise((resolve) => oss.server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const size = (name: string) => statSync(join(build, name)).size;
  const planLines = (stdout: string) => stdout.split("\n").filter((l) => l.startsWith("  "));

  describe("planUpload", () => {
    const files = [
      { path: "widget.js", size: 10 },
      { path: "chat-Bx3_k9aQ.js", size: 20 },
      { path: "chat-Bx3_k9aQ.js.map", size: 30 },
    ];

    it("puts content-hashed files first, the loader last, under the normalised prefix", () => {
      const plan = planUpload("/b", files, "/widget/");
      expect(plan.uploads.map((u) => [u.key, u.cacheControl])).toEqual([
        ["widget/chat-Bx3_k9aQ.js", HASHED_CACHE],
        ["widget/widget.js", LOADER_CACHE],
      ]);
      expect(plan.skipped.map((s) => s.path)).toEqual(["chat-Bx3_k9aQ.js.map"]);
    });

    it("refuses a file it cannot give a safe cache lifetime or content type", () => {
      expect(() => planUpload("/b", [...files, { path: "chat.js", size: 1 }])).toThrow(
        /chat\.js: neither widget\.js nor a content-hashed file/,
      );
      expect(() => planUpload("/b", [...files, { path: "notes-abcdefgh.txt", size: 1 }])).toThrow(/no content type known for "\.txt"/);
      expect(() => planUpload("/b", files.slice(1))).toThrow(/has no widget\.js/);
    });
  });

  it("--dry-run prints the plan in upload order and sends nothing, without credentials", async () => {
    // The endpoint points at the fake on purpose: a stray upload would show up in oss.requests.
    const { code, stdout, stderr } = await run(["--dry-run", "--dir", build], {
      OSS_PREFIX: "widget",
      OSS_BUCKET: "bc-widget-test",
      OSS_ENDPOINT: endpoint,
    });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain("oss://bc-widget-test/widget/");
    expect(planLines(stdout)).toEqual([
      `  widget/chat-abc12345.js  ${size("chat-abc12345.js")} B  ${JS}  public, max-age=31536000, immutable`,
      `  widget/widget.js  ${size("widget.js")} B  ${JS}  public, max-age=300`,
    ]);
    expect(stdout).toMatch(/skipped chat-abc12345\.js\.map: source maps are not published/);
    expect(oss.requests).toEqual([]);
  });

  it("--dry-run fails clearly when the build is missing or has no widget.js", async () => {
    const missing = await run(["--dry-run", "--dir", join(dir, "nope")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope does not exist.*npm run build:widget/);

    const noLoader = join(dir, "no-loader");
    mkdirSync(noLoader, { recursive: true });
    writeFileSync(join(noLoader, "chat-abc12345.js"), "1");
    const empty = await run(["--dry-run", "--dir", noLoader]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/has no widget\.js/);
  });

  it("a real run without credentials exits 2 naming every missing variable, and prints no secret", async () => {
    const { code, stdout, stderr } = await run(["--dir", build], { OSS_ACCESS_KEY_SECRET: SECRET, OSS_STS_TOKEN: STS, OSS_REGION: "" });
    expect(code).toBe(2);
    expect(stderr).toMatch(/missing environment variable\(s\): OSS_REGION, OSS_BUCKET, OSS_ACCESS_KEY_ID\b/);
    expect(stderr).not.toMatch(/OSS_ACCESS_KEY_SECRET/);
    expect(stdout + stderr).not.toContain(SECRET);
    expect(stdout + stderr).not.toContain(STS);
    expect(oss.requests).toEqual([]);
  });

  it("a bucket name OSS would refuse exits 2 before any request", async () => {
    const { code, stdout, stderr } = await run(["--dir", build], { ...creds, OSS_BUCKET: "Not_A_Bucket" });
    expect(code).toBe(2);
    expect(stderr).toMatch(/bad OSS configuration \(OSS_BUCKET Not_A_Bucket/);
    expect(stdout + stderr).not.toContain(SECRET);
    expect(oss.requests).toEqual([]);
  });

  it("uploads the chunk, then the loader, with their headers, signed with the credentials", async () => {
    const { code, stdout, stderr } = await run(["--dir", build], { ...creds, OSS_PREFIX: "widget/", OSS_STS_TOKEN: STS });
    expect(code, stderr).toBe(0);
    const puts = oss.requests.map((r) => ({
      method: r.method,
      path: r.path,
      type: r.headers["content-type"],
      cache: r.headers["cache-control"],
      length: r.body.length,
    }));
    expect(puts).toEqual([
      {
        method: "PUT",
        path: "/widget/chat-abc12345.js",
        type: JS,
        cache: "public, max-age=31536000, immutable",
        length: size("chat-abc12345.js"),
      },
      { method: "PUT", path: "/widget/widget.js", type: JS, cache: "public, max-age=300", length: size("widget.js") },
    ]);
    for (const r of oss.requests) {
      expect(r.headers.authorization).toMatch(/^OSS test-akid:\S+$/);
      expect(r.headers["x-oss-security-token"]).toBe(STS);
    }
    expect(stdout).toMatch(/purge the CDN cache of widget\/widget\.js/);
    expect(stdout + stderr).not.toContain(SECRET);
    expect(stdout + stderr).not.toContain(STS);
  });

  it("stops before the loader when a chunk is refused, exits 1 and prints no secret", async () => {
    oss.onRequest((req, res) =>
      req.path.includes("chat-") ? (ossError(res, 403, "AccessDenied", "You have no right to access this object."), true) : false,
    );
    const { code, stdout, stderr } = await run(["--dir", build], creds);
    expect(code).toBe(1);
    expect(oss.requests.map((r) => r.path)).toEqual(["/chat-abc12345.js"]);
    expect(stderr).toMatch(
      /failed uploading chat-abc12345\.js: You have no right.*AccessDeniedError, HTTP 403.*widget\.js was not uploaded/,
    );
    expect(stdout + stderr).not.toContain(SECRET);
  });

  it("--set-cors adds GET, HEAD from * to a bucket without CORS rules, before uploading", async () => {
    oss.onRequest((req, res) => {
      if (!req.query.has("cors") || req.method !== "GET") return false;
      ossError(res, 404, "NoSuchCORSConfiguration", "The CORS Configuration does not exist.");
      return true;
    });
    const { code, stdout, stderr } = await run(["--dir", build, "--set-cors"], creds);
    expect(code, stderr).toBe(0);
    expect(oss.requests.map((r) => `${r.method} ${r.path}${r.query.has("cors") ? "?cors" : ""}`)).toEqual([
      "GET /?cors",
      "PUT /?cors",
      "PUT /chat-abc12345.js",
      "PUT /widget.js",
    ]);
    const xml = oss.requests[1]!.body.toString();
    expect(xml).toMatch(
      /<CORSRule><AllowedOrigin>\*<\/AllowedOrigin><AllowedMethod>GET<\/AllowedMethod><AllowedMethod>HEAD<\/AllowedMethod>/,
    );
    expect(stdout).toMatch(/CORS: set GET, HEAD from \*/);
  });

  it("--set-cors leaves a bucket's other CORS rules alone and uploads nothing", async () => {
    oss.onRequest((req, res) => {
      if (!req.query.has("cors") || req.method !== "GET") return false;
      res
        .writeHead(200, { "content-type": "application/xml" })
        .end(
          '<?xml version="1.0" encoding="UTF-8"?>\n<CORSConfiguration><CORSRule><AllowedOrigin>https://admin.example</AllowedOrigin><AllowedMethod>PUT</AllowedMethod></CORSRule></CORSConfiguration>',
        );
      return true;
    });
    const { code, stderr } = await run(["--dir", build, "--set-cors"], creds);
    expect(code).toBe(1);
    expect(stderr).toMatch(/has 1 CORS rule\(s\), none allowing GET, HEAD from \*; not replacing them/);
    expect(oss.requests.map((r) => r.method)).toEqual(["GET"]);
  });
});
