import { rmSync } from "node:fs";
import { dirname } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DIALECTS, TEST_MYSQL_URL } from "./support/databases.js";
import { type Harness, createHarness } from "./support/harness.js";
import { expectError } from "./support/expect-error.js";

/** Cleans up a harness whose database handle the test destroyed: the fake and the database, but no second db.destroy(). */
async function closeDestroyed(h: Harness): Promise<void> {
  await h.deps.tasks.idle(5_000);
  await h.fake.close();
  const url = h.deps.config.databaseUrl;
  if (url.startsWith("sqlite:")) {
    rmSync(dirname(url.replace(/^sqlite:(\/\/)?/, "")), { recursive: true, force: true });
    return;
  }
  const { createConnection } = await import("mysql2/promise");
  const conn = await createConnection({ uri: TEST_MYSQL_URL! });
  await conn.query(`drop database if exists \`${new URL(url).pathname.slice(1)}\``);
  await conn.end();
}

describe.each(DIALECTS)("GET /health (%s)", (dialect) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("answers 200 with the dialect while the database answers, without credentials", async () => {
    h = await createHarness(dialect);
    const res = await h.request("/health");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ status: "ok", database: dialect });
  });

  it("answers 503 db_unavailable once the database handle is gone, and logs it once with the request id", async () => {
    // Behind Function Compute's front: its x-fc-request-id is believed only with a trusted front (issue 11).
    const local = await createHarness(dialect, { TRUST_PROXY: "1" });
    try {
      expect((await local.request("/health")).status).toBe(200);
      await local.deps.db.destroy();

      const res = await local.request("/health", { headers: { "x-fc-request-id": "req-health-1" } });
      const body = await expectError(res, 503, "db_unavailable");
      expect(body.error.message).not.toMatch(/destroyed|sqlite|mysql|stack/i);
      expect(res.headers.get("x-request-id")).toBe("req-health-1");

      expect(local.takeErrorLogs()).toEqual([expect.objectContaining({ requestId: "req-health-1", code: "db_unavailable" })]);
      const access = local.logs.filter((l) => l.msg === "request" && l.requestId === "req-health-1");
      expect(access).toEqual([expect.objectContaining({ status: 503, errorCode: "db_unavailable", route: "/health" })]);

      // Still 503 on the next probe, not a crash or a hang.
      await expectError(await local.request("/health"), 503, "db_unavailable");
      expect(local.takeErrorLogs()).toEqual([expect.objectContaining({ code: "db_unavailable" })]);
    } finally {
      await closeDestroyed(local);
    }
  });
});
