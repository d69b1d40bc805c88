import { type Kysely, sql } from "kysely";
import { isMysql } from "../dialect.js";

// Counters for rate limits and monthly quotas, shared by every instance: one row per key and
// window, bumped atomically (upsert). Sites get their own limits (null: the defaults).
// Kysely<any>: a migration must not depend on the table types of later versions (kysely's advice).
export async function up(db: Kysely<any>): Promise<void> {
  const builder = db.schema.createTable("counters");
  await (isMysql(db) ? builder.modifyEnd(sql`default charset=utf8mb4 collate=utf8mb4_bin`) : builder)
    .addColumn("key", "varchar(190)", (c) => c.notNull())
    .addColumn("window_start", "bigint", (c) => c.notNull())
    .addColumn("count", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("counters_pk", ["key", "window_start"])
    .execute();
  await db.schema.createIndex("counters_expires").on("counters").column("expires_at").execute();
  await db.schema.alterTable("sites").addColumn("limits", "text").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("sites").dropColumn("limits").execute();
  await db.schema.dropTable("counters").execute();
}
