import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Storage } from "unstorage";
import { openDatabase } from "../src/db/database.js";
import { migrateToLatest } from "../src/db/migrate.js";
import { forgetSite, siteById, siteByKey } from "../src/features/sites/sites.cache.js";
import { MEMORY_CACHE_MAX_ENTRIES, openStorage } from "../src/storage.js";
import { createTestDatabase } from "./support/databases.js";

const TEST_REDIS_URL = process.env.TEST_REDIS_URL || undefined;
if (!TEST_REDIS_URL)
  process.stdout.write("[bailian-chat] TEST_REDIS_URL is not set: the redis run of the site cache contract is skipped.\n");

// One contract for every storage driver (unstorage's testDriver pattern): memory always, redis when its URL is set.
describe.each([
  { driver: "memory", url: undefined as string | undefined, skip: false },
  { driver: "redis", url: TEST_REDIS_URL, skip: !TEST_REDIS_URL },
])("site cache on the $driver driver", ({ url, skip }) => {
  let storage: Storage;
  let clock = 1_000_000;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let deps: { db: Awaited<ReturnType<typeof openDatabase>>["db"]; storage: Storage; now: () => number };

  beforeAll(async () => {
    if (skip) return;
    database = await createTestDatabase("sqlite");
    const { db } = await openDatabase(database.url);
    await migrateToLatest(db);
    // A site is read with its owner's state (plan, suspension): the sites below belong to this owner.
    await db
      .insertInto("owners")
      .values({
        id: "own_x",
        email: "x@example.com",
        password_hash: "x",
        created_at: 1,
        email_verified_at: null,
        session_version: 0,
        language: null,
        plan_id: null,
        suspended_at: null,
      })
      .execute();
    storage = await openStorage(url);
    if (url) await storage.clear();
    deps = { db, storage, now: () => clock };
  });
  afterAll(async () => {
    if (skip) return;
    if (url) await storage.clear();
    await storage.dispose();
    await deps.db.destroy();
    await database.drop();
  });

  const insertSite = (id: string, key: string, name: string) =>
    deps.db
      .insertInto("sites")
      .values({
        id,
        owner_id: "own_x",
        site_key: key,
        name,
        allowed_origins: "[]",
        bot: "{}",
        api_key_enc: null,
        api_key_last4: null,
        created_at: 1,
        updated_at: 1,
      })
      .execute();

  it.skipIf(skip)("serves a site from the cache until it is forgotten", async () => {
    await insertSite("site_cache_1", "pk_cache_1", "First name");
    expect((await siteByKey(deps, "pk_cache_1"))?.name).toBe("First name");
    await deps.db.updateTable("sites").set({ name: "Renamed" }).where("id", "=", "site_cache_1").execute();
    expect((await siteByKey(deps, "pk_cache_1"))?.name).toBe("First name");
    await forgetSite(deps, { id: "site_cache_1", siteKey: "pk_cache_1" });
    expect((await siteByKey(deps, "pk_cache_1"))?.name).toBe("Renamed");
    expect((await siteById(deps, "site_cache_1"))?.siteKey).toBe("pk_cache_1");
  });

  it.skipIf(skip)("expires entries after the TTL, and remembers misses for a shorter while", async () => {
    expect(await siteByKey(deps, "pk_cache_2")).toBeNull();
    await insertSite("site_cache_2", "pk_cache_2", "Late");
    expect(await siteByKey(deps, "pk_cache_2")).toBeNull();
    clock += 6_000;
    expect((await siteByKey(deps, "pk_cache_2"))?.name).toBe("Late");
    await deps.db.updateTable("sites").set({ name: "Renamed later" }).where("id", "=", "site_cache_2").execute();
    clock += 20_000;
    expect((await siteByKey(deps, "pk_cache_2"))?.name).toBe("Late");
    clock += 11_000;
    expect((await siteByKey(deps, "pk_cache_2"))?.name).toBe("Renamed later");
  });

  // Regression (issue 11): 100,000 random keys grew the in-process cache by 34 MB, for ever.
  it.skipIf(skip || url !== undefined)(
    "keeps at most a bounded number of entries in memory, however many unknown keys are asked for",
    async () => {
      const asked = MEMORY_CACHE_MAX_ENTRIES + 2_000;
      for (let i = 0; i < asked; i++) expect(await siteByKey(deps, `pk_unknown_${i}`)).toBeNull();
      expect((await storage.getKeys()).length).toBeLessThanOrEqual(MEMORY_CACHE_MAX_ENTRIES);
    },
  );
});
