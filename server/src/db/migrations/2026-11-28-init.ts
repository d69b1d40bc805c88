import { type Kysely, sql } from "kysely";
import { isMysql } from "../dialect.js";

// No IF NOT EXISTS: MySQL 8 has none for indexes, and the migrator runs each migration once.
// Primary keys are NOT NULL explicitly: SQLite would otherwise let a text primary key hold NULL.
// Same schema on MySQL and SQLite: string ids (random, so not guessable), epoch-ms bigints,
// JSON kept as text. `mediumtext` has TEXT affinity on SQLite and holds long answers on MySQL.
// Kysely<any>: a migration must not depend on the table types of later versions (kysely's advice).
export async function up(db: Kysely<any>): Promise<void> {
  // MariaDB's default charset may be latin1; Chinese and emoji need utf8mb4.
  const table = (name: string) => {
    const builder = db.schema.createTable(name);
    return isMysql(db) ? builder.modifyEnd(sql`default charset=utf8mb4 collate=utf8mb4_bin`) : builder;
  };
  const id = "varchar(40)";

  await table("owners")
    .addColumn("id", id, (c) => c.primaryKey().notNull())
    .addColumn("email", "varchar(254)", (c) => c.notNull().unique())
    .addColumn("password_hash", "varchar(255)", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();

  await table("sites")
    .addColumn("id", id, (c) => c.primaryKey().notNull())
    .addColumn("owner_id", id, (c) => c.notNull())
    .addColumn("site_key", id, (c) => c.notNull().unique())
    .addColumn("name", "varchar(200)", (c) => c.notNull())
    .addColumn("allowed_origins", "text", (c) => c.notNull())
    .addColumn("bot", "text", (c) => c.notNull())
    .addColumn("api_key_enc", "text")
    .addColumn("api_key_last4", "varchar(8)")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("sites_owner").on("sites").columns(["owner_id", "created_at"]).execute();

  await table("visitors")
    .addColumn("id", id, (c) => c.primaryKey().notNull())
    .addColumn("site_id", id, (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("last_seen_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("visitors_site").on("visitors").column("site_id").execute();

  await table("conversations")
    .addColumn("id", id, (c) => c.primaryKey().notNull())
    .addColumn("site_id", id, (c) => c.notNull())
    .addColumn("visitor_id", id, (c) => c.notNull())
    .addColumn("title", "varchar(200)", (c) => c.notNull())
    .addColumn("message_count", "integer", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("conversations_site").on("conversations").columns(["site_id", "updated_at"]).execute();
  await db.schema.createIndex("conversations_visitor").on("conversations").columns(["visitor_id", "updated_at"]).execute();

  await table("messages")
    .addColumn("id", id, (c) => c.primaryKey().notNull())
    .addColumn("conversation_id", id, (c) => c.notNull())
    .addColumn("site_id", id, (c) => c.notNull())
    .addColumn("seq", "integer", (c) => c.notNull())
    .addColumn("role", "varchar(16)", (c) => c.notNull())
    .addColumn("content", sql`mediumtext`, (c) => c.notNull())
    .addColumn("status", "varchar(16)", (c) => c.notNull())
    .addColumn("error_code", "varchar(64)")
    .addColumn("model", "varchar(64)")
    .addColumn("prompt_tokens", "integer")
    .addColumn("completion_tokens", "integer")
    .addColumn("latency_ms", "integer")
    .addColumn("ttft_ms", "integer")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("messages_conversation_seq").unique().on("messages").columns(["conversation_id", "seq"]).execute();
  await db.schema.createIndex("messages_site_created").on("messages").columns(["site_id", "created_at"]).execute();

  await table("api_calls")
    .addColumn("id", id, (c) => c.primaryKey().notNull())
    .addColumn("site_id", id, (c) => c.notNull())
    .addColumn("conversation_id", id)
    .addColumn("message_id", id)
    .addColumn("model", "varchar(64)", (c) => c.notNull())
    .addColumn("attempt", "integer", (c) => c.notNull())
    .addColumn("outcome", "varchar(16)", (c) => c.notNull())
    .addColumn("error_code", "varchar(64)")
    .addColumn("http_status", "integer")
    .addColumn("prompt_tokens", "integer")
    .addColumn("completion_tokens", "integer")
    .addColumn("latency_ms", "integer", (c) => c.notNull())
    .addColumn("ttft_ms", "integer")
    .addColumn("upstream_request_id", "varchar(80)")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("api_calls_site_created").on("api_calls").columns(["site_id", "created_at"]).execute();

  await table("configs")
    .addColumn("key", "varchar(100)", (c) => c.primaryKey().notNull())
    .addColumn("value", "text", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ["configs", "api_calls", "messages", "conversations", "visitors", "sites", "owners"]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
