import type { Db } from "./database.js";

/**
 * The `configs` table: system settings as JSON under a key (operator settings, plans). Kept in
 * the database, so every instance reads the same.
 */
/** Every setting whose key starts with `prefix`, as [key, value]. */
export async function readConfigs(db: Db, prefix: string): Promise<Array<[string, unknown]>> {
  const rows = await db.selectFrom("configs").select(["key", "value"]).where("key", "like", `${prefix}%`).orderBy("key").execute();
  return rows.map((r) => [r.key, parseJson(r.value)]);
}

export async function writeConfig(db: Db, key: string, value: unknown, now: number): Promise<void> {
  const row = { key, value: JSON.stringify(value), updated_at: now };
  // Update first, then insert: one statement that works on both dialects would need an upsert per dialect.
  const updated = await db.updateTable("configs").set({ value: row.value, updated_at: now }).where("key", "=", key).executeTakeFirst();
  if (Number(updated.numUpdatedRows) > 0) return;
  try {
    await db.insertInto("configs").values(row).execute();
  } catch {
    // Another instance inserted it between the two statements: the latest write wins.
    await db.updateTable("configs").set({ value: row.value, updated_at: now }).where("key", "=", key).execute();
  }
}

export async function deleteConfig(db: Db, key: string): Promise<void> {
  await db.deleteFrom("configs").where("key", "=", key).execute();
}

function parseJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
