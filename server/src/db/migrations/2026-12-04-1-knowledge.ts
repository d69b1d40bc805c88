import { type Kysely, sql } from "kysely";
import { isMysql } from "../dialect.js";

// The knowledge base (features/knowledge) and the job queue that ingests it (jobs/).
// Kysely<any>: a migration must not depend on the table types of later versions (kysely's advice).
export async function up(db: Kysely<any>): Promise<void> {
  const binaryIds = <T extends { modifyEnd(node: unknown): T }>(b: T): T =>
    isMysql(db) ? b.modifyEnd(sql`default charset=utf8mb4 collate=utf8mb4_bin`) : b;

  // Work that must survive a frozen or killed instance: claimed with a lease (lease_until), done in
  // bounded steps that save `progress`, so another instance resumes where the last step ended.
  await binaryIds(db.schema.createTable("jobs"))
    .addColumn("id", "varchar(40)", (c) => c.primaryKey().notNull())
    .addColumn("kind", "varchar(40)", (c) => c.notNull())
    .addColumn("site_id", "varchar(40)")
    .addColumn("payload", "text", (c) => c.notNull())
    .addColumn("progress", "text")
    .addColumn("state", "varchar(16)", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("run_after", "bigint", (c) => c.notNull())
    .addColumn("lease_until", "bigint")
    .addColumn("leased_by", "varchar(64)")
    .addColumn("last_error", "varchar(500)")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("jobs_state_run_after").on("jobs").columns(["state", "run_after"]).execute();
  await db.schema.createIndex("jobs_site").on("jobs").columns(["site_id"]).execute();

  await binaryIds(db.schema.createTable("knowledge_sources"))
    .addColumn("id", "varchar(40)", (c) => c.primaryKey().notNull())
    .addColumn("site_id", "varchar(40)", (c) => c.notNull())
    .addColumn("kind", "varchar(8)", (c) => c.notNull())
    .addColumn("title", "varchar(300)", (c) => c.notNull())
    .addColumn("url", "varchar(2048)")
    .addColumn("status", "varchar(16)", (c) => c.notNull())
    .addColumn("error_code", "varchar(64)")
    .addColumn("error_message", "varchar(500)")
    .addColumn("chunks", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("bytes", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("file_key", "varchar(300)")
    .addColumn("media_type", "varchar(120)")
    .addColumn("options", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("knowledge_sources_site").on("knowledge_sources").columns(["site_id", "created_at"]).execute();

  await binaryIds(db.schema.createTable("knowledge_chunks"))
    .addColumn("id", "varchar(40)", (c) => c.primaryKey().notNull())
    .addColumn("site_id", "varchar(40)", (c) => c.notNull())
    .addColumn("source_id", "varchar(40)", (c) => c.notNull())
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("heading", "varchar(300)", (c) => c.notNull())
    .addColumn("text", "text", (c) => c.notNull())
    .addColumn("tokens", "integer", (c) => c.notNull())
    // float32 little-endian, EMBEDDING_DIMENSIONS of them; null until embedded
    .addColumn("embedding", "blob")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("knowledge_chunks_site").on("knowledge_chunks").columns(["site_id"]).execute();
  await db.schema.createIndex("knowledge_chunks_source").on("knowledge_chunks").columns(["source_id", "position"]).execute();

  // The sources an answer cited, JSON [{title, url, sourceId}], shown to the visitor and the owner.
  await db.schema.alterTable("messages").addColumn("sources", "text").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("messages").dropColumn("sources").execute();
  await db.schema.dropTable("knowledge_chunks").execute();
  await db.schema.dropTable("knowledge_sources").execute();
  await db.schema.dropTable("jobs").execute();
}
