import { type Kysely, sql } from "kysely";
import { isMysql } from "../dialect.js";

// Accounts: the single-use links mailed to owners (email verification, password reset), kept only
// as a sha256 of the token, and the sessions signed out one by one (logout) until they would have
// expired anyway. "Everywhere" is owners.session_version (2026-12-03-owner-state).
// Kysely<any>: a migration must not depend on the table types of later versions (kysely's advice).
export async function up(db: Kysely<any>): Promise<void> {
  const table = (name: string) => {
    const builder = db.schema.createTable(name);
    return isMysql(db) ? builder.modifyEnd(sql`default charset=utf8mb4 collate=utf8mb4_bin`) : builder;
  };
  await table("owner_tokens")
    .addColumn("token_hash", "varchar(64)", (c) => c.primaryKey().notNull())
    .addColumn("owner_id", "varchar(40)", (c) => c.notNull())
    .addColumn("purpose", "varchar(16)", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("used_at", "bigint")
    .execute();
  await db.schema.createIndex("owner_tokens_owner").on("owner_tokens").columns(["owner_id", "purpose"]).execute();
  await db.schema.createIndex("owner_tokens_expires").on("owner_tokens").column("expires_at").execute();

  await table("revoked_sessions")
    .addColumn("session_id", "varchar(40)", (c) => c.primaryKey().notNull())
    .addColumn("owner_id", "varchar(40)", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("revoked_sessions_owner").on("revoked_sessions").columns(["owner_id", "expires_at"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("revoked_sessions").execute();
  await db.schema.dropTable("owner_tokens").execute();
}
