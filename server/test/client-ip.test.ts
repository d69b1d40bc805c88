import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";
import { startDashScopeFake } from "../src/llm/dashscope-fake.js";
import { memoryLogger } from "../src/logger.js";
import { start } from "../src/main.js";
import { expectError } from "./support/expect-error.js";
import { startFcFront } from "./support/fc-front.js";
import { PUBLIC_URL, SITE_ORIGIN, TEST_SECRET, createHarness, createSite, type Harness, signUpOwner } from "./support/harness.js";
import { serverEnv } from "./support/server-process.js";

/**
 * Regression (issue 11, hole 9): with TRUST_PROXY=1 the per-IP limit took whatever X-Forwarded-For
 * said (100 values → 100 sessions). TRUST_PROXY is now the number of trusted proxies; the client's
 * address is the entry exactly that many places from the right, and x-fc-request-id is believed
 * only when a trusted front is configured.
 */
describe("the client's address behind TRUST_PROXY=<hops> proxies", () => {
  const harnesses: Harness[] = [];
  afterAll(async () => {
    for (const h of harnesses) await h.close();
  });

  /** A site allowing 2 sessions per address a minute, on a server behind `hops` proxies. */
  async function behind(hops: string) {
    const h = await createHarness("sqlite", { TRUST_PROXY: hops });
    harnesses.push(h);
    // Mid-minute, near the real time (the counters' sweep drops windows expired by the real clock).
    const now = Date.now();
    h.deps.now = () => now - (now % 60_000) + 20_000;
    const { cookie } = await signUpOwner(h);
    const site = await createSite(h, cookie, { limits: { sessionsPerIpPerMinute: 2 } });
    const session = (forwardedFor?: string) =>
      h.request(`/v1/widget/${site.siteKey}/sessions`, {
        method: "POST",
        headers: { origin: SITE_ORIGIN, ...(forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor }) },
      });
    return { h, session };
  }

  it("two hops (a CDN before Function Compute): the entry second from the right is counted, whatever is left of it", async () => {
    const { session } = await behind("2");
    // The client forges the left part; the CDN appended 198.51.100.5, FC appended the CDN's 10.0.0.1.
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) statuses.push((await session(`203.0.113.${i}, 198.51.100.5, 10.0.0.1`)).status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(2);
    // The counted address is exactly the second from the right: another client there has its own count,
    // and the same client through another CDN node is still itself.
    expect((await session("198.51.100.6, 10.0.0.1")).status).toBe(201);
    await expectError(await session("forged, 198.51.100.5, 10.0.0.2"), 429, "rate_limited");
    // Spaces around the commas do not matter.
    await expectError(await session("a, b, 198.51.100.5 ,10.0.0.9"), 429, "rate_limited");
  });

  it("fewer entries than hops: the connection's address is counted, so a client cannot pick its own by sending fewer", async () => {
    const { session } = await behind("2");
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await session(`203.0.113.${i}`)).status);
    for (let i = 0; i < 5; i++) statuses.push((await session()).status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(2);
  });

  it("one hop: the last entry; 0 or unset: X-Forwarded-For is not read at all", async () => {
    const one = await behind("1");
    expect((await one.session("forged-1, 198.51.100.7")).status).toBe(201);
    expect((await one.session("forged-2, 198.51.100.7")).status).toBe(201);
    await expectError(await one.session("forged-3, 198.51.100.7"), 429, "rate_limited");
    expect((await one.session("198.51.100.7, 198.51.100.8")).status).toBe(201);

    for (const none of ["0", ""]) {
      const direct = await behind(none);
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) statuses.push((await direct.session(`198.51.100.${i}`)).status);
      expect(
        statuses.filter((s) => s === 201),
        `TRUST_PROXY=${none}`,
      ).toHaveLength(2);
    }
  });

  it("x-fc-request-id is the request id only behind a trusted front; otherwise a fresh one, and the log line says so", async () => {
    const direct = await behind("0");
    const own = await direct.h.request("/api/nothing", { headers: { "x-fc-request-id": "chosen-by-a-client" } });
    expect(own.headers.get("x-request-id")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(direct.h.logs.filter((l) => l.requestId === "chosen-by-a-client")).toEqual([]);

    const fronted = await behind("1");
    const fc = await fronted.h.request("/api/nothing", { headers: { "x-fc-request-id": "fc-front-given-0001" } });
    expect(fc.headers.get("x-request-id")).toBe("fc-front-given-0001");
    expect(fronted.h.logs.filter((l) => l.msg === "request" && l.requestId === "fc-front-given-0001")).toHaveLength(1);
  });

  it("TRUST_PROXY must be a number of hops", () => {
    const env = { APP_SECRET: TEST_SECRET, PUBLIC_URL };
    for (const bad of ["true", "yes", "-1", "1.5", "11", "100", " 1"]) {
      expect(() => loadConfig({ ...env, TRUST_PROXY: bad }), bad).toThrow(ConfigError);
    }
    expect(loadConfig({ ...env, TRUST_PROXY: "2" }).trustProxy).toBe(2);
    expect(loadConfig({ ...env, TRUST_PROXY: "1" }).trustProxy).toBe(1);
    expect(loadConfig(env).trustProxy).toBe(0);
  });
});

describe("on a real port, behind a stand-in for Function Compute's front (TRUST_PROXY=1)", () => {
  const dir = mkdtempSync(join(tmpdir(), "bc-client-ip-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let close: () => Promise<void> = async () => {};
  afterAll(() => close());
  let front: Awaited<ReturnType<typeof startFcFront>>;
  let direct: string;

  beforeAll(async () => {
    const fake = await startDashScopeFake();
    const server = await start(loadConfig(serverEnv(dir, fake, { TRUST_PROXY: "1" })), memoryLogger());
    direct = server.url.replace(/\/$/, "");
    const { port } = new URL(direct);
    front = await startFcFront(
      { host: "127.0.0.1", port: Number(port) },
      { functionName: "bailian-chat", region: "cn-hangzhou", accountId: "1", qualifier: "LATEST", memorySize: 1024 },
    );
    close = async () => {
      await front.close();
      await server.close();
      await fake.close();
    };
  });

  it("100 forged X-Forwarded-For values through the front are one address: the limit holds", async () => {
    const post = (base: string, path: string, headers: Record<string, string>, body: unknown = {}) =>
      fetch(base + path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
    const signup = await post(front.url, "/api/auth/signup", {}, { email: "front@example.com", password: "correct horse battery" });
    const cookie = signup.headers.get("set-cookie")!.split(";")[0];
    const created = await post(
      front.url,
      "/api/sites",
      { cookie },
      { name: "Shop", allowedOrigins: [SITE_ORIGIN], limits: { sessionsPerIpPerMinute: 3 } },
    );
    const { site } = await created.json();
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) {
      const res = await post(front.url, `/v1/widget/${site.siteKey}/sessions`, {
        origin: SITE_ORIGIN,
        "x-forwarded-for": `203.0.113.${i}`,
      });
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    // The minute may turn during the loop: at most two windows' worth.
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(3);
    expect(statuses.filter((s) => s === 201).length).toBeLessThanOrEqual(6);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(94);
    // The front's request ids are the server's.
    const missing = await fetch(`${front.url}/api/nothing`, { headers: { "x-fc-request-id": "chosen-by-a-client" } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get("x-request-id")).toBe(front.requestIds.at(-1));
  });
});
