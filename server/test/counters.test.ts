import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Db, openDatabase } from "../src/db/database.js";
import { migrateToLatest } from "../src/db/migrate.js";
import { type Counters, redisCounters, sqlCounters } from "../src/security/counters.js";
import { DIALECTS, type TestDatabase, createTestDatabase } from "./support/databases.js";

const TEST_REDIS_URL = process.env.TEST_REDIS_URL || undefined;

// The token quota reserves an answer's worst case and takes the difference back afterwards: every
// counter backend must add negative amounts exactly, under concurrency, and keep its expiry.
const BACKENDS = [
  ...DIALECTS.map((dialect) => ({ name: dialect, dialect, redis: false, skip: false })),
  { name: "redis", dialect: "sqlite" as const, redis: true, skip: !TEST_REDIS_URL },
];

describe.each(BACKENDS)("counters: reservations taken back ($name)", ({ dialect, redis, skip }) => {
  let database: TestDatabase;
  let db: Db;
  let counters: Counters;
  const window = Date.UTC(2026, 10, 1);
  const expires = Date.now() + 3_600_000;
  const key = (name: string) => `test:${name}:${Date.now()}:${Math.random()}`;

  beforeAll(async () => {
    if (skip) return;
    database = await createTestDatabase(dialect);
    ({ db } = await openDatabase(database.url));
    await migrateToLatest(db);
    counters = redis ? await redisCounters(TEST_REDIS_URL!) : sqlCounters(db);
  });
  afterAll(async () => {
    if (skip) return;
    await counters.close();
    await db.destroy();
    await database.drop();
  });

  it.skipIf(skip)("adds negative amounts and zero, down to 0 exactly", async () => {
    const k = key("settle");
    expect(await counters.add(k, window, 500, expires)).toBe(500);
    expect(await counters.add(k, window, -380, expires)).toBe(120);
    expect(await counters.add(k, window, 0, expires)).toBe(120);
    expect(await counters.add(k, window, -120, expires)).toBe(0);
    expect(await counters.get(k, window)).toBe(0);
    expect(await counters.add(k, window, 7, expires)).toBe(7);
  });

  it.skipIf(skip)("parallel reservations settled in parallel leave exactly what was used", async () => {
    const k = key("parallel");
    await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        await counters.add(k, window, 1000, expires);
        await counters.add(k, window, i - 1000, expires);
      }),
    );
    expect(await counters.get(k, window)).toBe((59 * 60) / 2);
  });

  it.skipIf(skip)("adds several counters at once, each exactly, their totals in order", async () => {
    const [a, b] = [key("all-a"), key("all-b")];
    await counters.add(b, window, 40, expires);
    const hits = (by: number) => [
      { key: a, windowStart: window, by, expiresAt: expires },
      { key: b, windowStart: window, by: -by, expiresAt: expires },
    ];
    expect(await counters.addAll(hits(1))).toEqual([1, 39]);
    const totals = await Promise.all(Array.from({ length: 30 }, () => counters.addAll(hits(1))));
    // Each add is exact (not the batch as a whole): every batch saw its own total of each counter.
    const sorted = (i: number) => totals.map((t) => t[i]).sort((x, y) => x - y);
    expect(sorted(0)).toEqual(Array.from({ length: 30 }, (_, i) => i + 2));
    expect(sorted(1)).toEqual(Array.from({ length: 30 }, (_, i) => i + 9));
    expect([await counters.get(a, window), await counters.get(b, window)]).toEqual([31, 9]);
    expect(await counters.addAll([])).toEqual([]);
  });

  it.skipIf(!redis || skip)("in redis, a key that went back to 0 and up again still expires", async () => {
    const k = key("expiry");
    await counters.add(k, window, 10, expires);
    await counters.add(k, window, -10, expires);
    await counters.add(k, window, 10, expires);
    const { Redis } = await import("ioredis");
    const client = new Redis(TEST_REDIS_URL!);
    const ttl = await client.pttl(`bailian-chat:counter:${k}:${window}`);
    client.disconnect();
    expect(ttl).toBeGreaterThan(0);
  });
});
