import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Db, openDatabase } from "../src/db/database.js";
import { migrateToLatest } from "../src/db/migrate.js";
import { DIALECTS, TEST_MYSQL_URL, type TestDatabase, createTestDatabase } from "./support/databases.js";
import { createHarness, createSite, readSse, sendMessage, signUpOwner, startVisitor } from "./support/harness.js";

/** The schema both dialects must have: table → column names (schema.ts). */
const EXPECTED: Record<string, string[]> = {
  owners: [
    "id",
    "email",
    "password_hash",
    "created_at",
    "email_verified_at",
    "session_version",
    "language",
    "plan_id",
    "suspended_at",
    "display_name",
  ],
  sites: [
    "id",
    "owner_id",
    "site_key",
    "name",
    "allowed_origins",
    "bot",
    "api_key_enc",
    "api_key_last4",
    "created_at",
    "updated_at",
    "limits",
    "suspended_at",
    "handoff",
    "media",
  ],
  visitors: ["id", "site_id", "created_at", "last_seen_at"],
  conversations: [
    "id",
    "site_id",
    "visitor_id",
    "title",
    "message_count",
    "created_at",
    "updated_at",
    "status",
    "assignee_id",
    "handoff_at",
    "visitor_email",
    "agent_read_seq",
  ],
  messages: [
    "id",
    "conversation_id",
    "site_id",
    "seq",
    "role",
    "content",
    "status",
    "error_code",
    "model",
    "prompt_tokens",
    "completion_tokens",
    "latency_ms",
    "ttft_ms",
    "created_at",
    "checkpoint_at",
    "sources",
    "rating",
    "rating_comment",
    "rated_at",
    "author_id",
    "author_name",
  ],
  api_calls: [
    "id",
    "site_id",
    "conversation_id",
    "message_id",
    "model",
    "attempt",
    "outcome",
    "error_code",
    "http_status",
    "prompt_tokens",
    "completion_tokens",
    "latency_ms",
    "ttft_ms",
    "upstream_request_id",
    "created_at",
    "kind",
    "units",
  ],
  configs: ["key", "value", "updated_at"],
  counters: ["key", "window_start", "count", "expires_at"],
  owner_tokens: ["token_hash", "owner_id", "purpose", "created_at", "expires_at", "used_at"],
  revoked_sessions: ["session_id", "owner_id", "expires_at"],
  invitations: ["id", "token_hash", "email", "created_by", "created_at", "expires_at", "used_at", "used_by"],
  jobs: [
    "id",
    "kind",
    "site_id",
    "payload",
    "progress",
    "state",
    "attempts",
    "run_after",
    "lease_until",
    "leased_by",
    "last_error",
    "created_at",
    "updated_at",
  ],
  knowledge_sources: [
    "id",
    "site_id",
    "kind",
    "title",
    "url",
    "status",
    "error_code",
    "error_message",
    "chunks",
    "bytes",
    "file_key",
    "media_type",
    "options",
    "created_at",
    "updated_at",
  ],
  knowledge_chunks: ["id", "site_id", "source_id", "position", "heading", "text", "tokens", "embedding", "created_at"],
  site_members: ["site_id", "account_id", "role", "created_at"],
  site_invitations: ["id", "site_id", "email", "role", "token_hash", "invited_by", "created_at", "expires_at", "used_at", "used_by"],
  webhooks: ["id", "site_id", "url", "events", "secret_enc", "enabled", "created_at", "updated_at"],
  webhook_deliveries: ["id", "webhook_id", "site_id", "event_id", "event_type", "payload", "state", "attempts", "created_at", "updated_at"],
  webhook_attempts: ["id", "delivery_id", "webhook_id", "site_id", "attempt", "status_code", "latency_ms", "error", "created_at"],
  site_events: ["id", "site_id", "conversation_id", "type", "data", "created_at"],
  media: [
    "id",
    "site_id",
    "conversation_id",
    "visitor_id",
    "message_id",
    "kind",
    "status",
    "media_type",
    "size_bytes",
    "width",
    "height",
    "duration_ms",
    "storage_key",
    "prompt",
    "task_id",
    "error_code",
    "created_at",
    "updated_at",
    "expires_at",
  ],
};

/** Columns that may hold NULL (schema.ts `| null`); every other column must refuse it, on both dialects. */
const NULLABLE = new Set([
  "sites.api_key_enc",
  "sites.api_key_last4",
  "sites.limits",
  "sites.suspended_at",
  "sites.handoff",
  "sites.media",
  "owner_tokens.used_at",
  ...["message_id", "width", "height", "duration_ms", "prompt", "task_id", "error_code"].map((c) => `media.${c}`),
  ...["assignee_id", "handoff_at", "visitor_email"].map((c) => `conversations.${c}`),
  ...["used_at", "used_by"].map((c) => `site_invitations.${c}`),
  ...["status_code", "error"].map((c) => `webhook_attempts.${c}`),
  "site_events.conversation_id",
  ...["email", "used_at", "used_by"].map((c) => `invitations.${c}`),
  ...["email_verified_at", "language", "plan_id", "suspended_at", "display_name"].map((c) => `owners.${c}`),
  ...[
    "error_code",
    "model",
    "prompt_tokens",
    "completion_tokens",
    "latency_ms",
    "ttft_ms",
    "checkpoint_at",
    "sources",
    "rating",
    "rating_comment",
    "rated_at",
    "author_id",
    "author_name",
  ].map((c) => `messages.${c}`),
  ...["site_id", "progress", "lease_until", "leased_by", "last_error"].map((c) => `jobs.${c}`),
  ...["url", "error_code", "error_message", "file_key", "media_type", "options"].map((c) => `knowledge_sources.${c}`),
  "knowledge_chunks.embedding",
  ...[
    "conversation_id",
    "message_id",
    "error_code",
    "http_status",
    "prompt_tokens",
    "completion_tokens",
    "ttft_ms",
    "upstream_request_id",
    "units",
  ].map((c) => `api_calls.${c}`),
]);

const TEXTS = [
  "你好，世界！这是一条中文消息。",
  "Emoji: 👋🏽 🙂 👨‍👩‍👧‍👦 🇨🇳 ❤️",
  "Beyond the BMP: 𠜎𠜱𠝹𠱓 𝕳𝖊𝖑𝖑𝖔",
  "Mixed 混合 テキスト 한국어 Ελληνικά עברית العربية ｶﾀｶﾅ",
  "Quotes ' \" ` \\ and a NUL-free control \t\n\r end",
];

async function describeSchema(db: Db) {
  const tables = await db.introspection.getTables();
  return Object.fromEntries(
    tables
      .map((t) => [t.name, t.columns.map((c) => ({ name: c.name, type: c.dataType.toLowerCase(), nullable: c.isNullable }))] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

describe.each(DIALECTS)("migrations (%s)", (dialect) => {
  let database: TestDatabase;
  let db: Db;
  let applied: string[];
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    db = (await openDatabase(database.url)).db;
    expect(await db.introspection.getTables()).toEqual([]);
    applied = await migrateToLatest(db);
  });
  afterAll(async () => {
    await db.destroy();
    await database.drop();
  });

  it("on an empty database create the tables with the same column names on both dialects", async () => {
    expect(applied).toEqual([
      "2026-11-28-init",
      "2026-11-28-limits",
      "2026-12-02-checkpoints",
      "2026-12-03-1-owner-state",
      "2026-12-03-2-accounts",
      "2026-12-03-3-operator",
      "2026-12-04-1-knowledge",
      "2026-12-05-1-feedback",
      "2026-12-06-1-people",
      "2026-12-07-1-media",
    ]);
    const schema = await describeSchema(db);
    expect(Object.keys(schema).sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const [table, columns] of Object.entries(EXPECTED)) {
      expect(schema[table].map((c) => c.name).sort(), table).toEqual([...columns].sort());
    }
  });

  it("make exactly the nullable columns nullable: the database refuses a missing value elsewhere", async () => {
    const schema = await describeSchema(db);
    for (const [table, columns] of Object.entries(schema)) {
      for (const column of columns) {
        const name = `${table}.${column.name}`;
        expect(column.nullable, name).toBe(NULLABLE.has(name));
      }
    }
  });

  it("running migrateToLatest again applies nothing and changes nothing", async () => {
    await db.insertInto("configs").values({ key: "probe", value: "kept", updated_at: 1 }).execute();
    const before = await describeSchema(db);
    expect(await migrateToLatest(db)).toEqual([]);
    expect(await migrateToLatest(db)).toEqual([]);
    expect(await describeSchema(db)).toEqual(before);
    expect(await db.selectFrom("configs").selectAll().execute()).toEqual([{ key: "probe", value: "kept", updated_at: 1 }]);
    const migrations = await db.introspection.getTables({ withInternalKyselyTables: true });
    expect(migrations.map((t) => t.name)).toContain("kysely_migration");
    const rows = await (db as unknown as Db & { selectFrom(t: "kysely_migration"): any })
      .selectFrom("kysely_migration")
      .selectAll()
      .execute();
    expect(rows.map((r: { name: string }) => r.name)).toEqual([
      "2026-11-28-init",
      "2026-11-28-limits",
      "2026-12-02-checkpoints",
      "2026-12-03-1-owner-state",
      "2026-12-03-2-accounts",
      "2026-12-03-3-operator",
      "2026-12-04-1-knowledge",
      "2026-12-05-1-feedback",
      "2026-12-06-1-people",
      "2026-12-07-1-media",
    ]);
    await db.deleteFrom("configs").execute();
  });

  it("round-trips Chinese, emoji and text beyond the BMP through messages, long answers too, with times as numbers", async () => {
    const long = "长".repeat(70_000) + "🙂"; // > 64 KB in UTF-8: more than a MySQL TEXT holds
    const base = {
      conversation_id: "conv_roundtrip",
      site_id: "site_roundtrip",
      status: "complete" as const,
      error_code: null,
      model: null,
      prompt_tokens: null,
      completion_tokens: null,
      latency_ms: null,
      ttft_ms: null,
      checkpoint_at: null,
    };
    const contents = [...TEXTS, long];
    for (const [i, content] of contents.entries()) {
      await db
        .insertInto("messages")
        .values({ ...base, id: `msg_rt_${i}`, seq: i + 1, role: "user", content, created_at: 1_800_000_000_000 + i })
        .execute();
    }
    const rows = await db
      .selectFrom("messages")
      .select(["content", "created_at", "seq"])
      .where("conversation_id", "=", "conv_roundtrip")
      .orderBy("seq")
      .execute();
    expect(rows.map((r) => r.content)).toEqual(contents);
    expect(rows[0].created_at).toBe(1_800_000_000_000);
    expect(typeof rows[0].created_at).toBe("number");
    // and found by the text they hold
    const found = await db.selectFrom("messages").select("id").where("content", "like", "%👨‍👩‍👧‍👦%").execute();
    expect(found.map((r) => r.id)).toEqual(["msg_rt_1"]);
  });
});

describe.each(DIALECTS)("text through the app (%s)", (dialect) => {
  it("a visitor's Chinese and emoji message and the model's answer reach the owner unchanged", async () => {
    const h = await createHarness(dialect);
    try {
      const { cookie } = await signUpOwner(h);
      const site = await createSite(h, cookie, {
        name: "中文商店 🛍️",
        bot: { displayName: "小助手 🤖", suggestedQuestions: ["运费多少？📦"] },
      });
      expect(site.bot.displayName).toBe("小助手 🤖");
      const visitor = await startVisitor(h, site.siteKey);
      const question = `${TEXTS[0]} ${TEXTS[1]} ${TEXTS[2]}`;
      const answer = "当然可以！😊 𠜎 这是回答。";
      h.fake.enqueue({ kind: "answer", text: answer });
      const events = await readSse(await sendMessage(h, visitor, question));
      expect(
        events
          .filter((e) => e.event === "delta")
          .map((e) => e.data.text)
          .join(""),
      ).toBe(answer);
      const res = await h.request(`/api/sites/${site.id}/conversations/${visitor.conversationId}`, { headers: { cookie } });
      const { conversation, messages } = (await res.json()) as { conversation: { title: string }; messages: Array<{ content: string }> };
      expect(messages.map((m) => m.content)).toEqual([question, answer]);
      expect(conversation.title).toBe(question.slice(0, 80));
      const config = await h.request(`/v1/widget/${site.siteKey}/config`, { headers: { origin: "https://shop.example" } });
      expect(((await config.json()) as { suggestedQuestions: string[] }).suggestedQuestions).toEqual(["运费多少？📦"]);
    } finally {
      await h.close();
    }
  });
});

describe.runIf(TEST_MYSQL_URL)("migrations on a MySQL database whose default charset is latin1", () => {
  it("still create utf8mb4 tables that keep emoji and Chinese", async () => {
    const { createConnection } = await import("mysql2/promise");
    const name = `bc_test_latin1_${randomBytes(4).toString("hex")}`;
    const admin = await createConnection({ uri: TEST_MYSQL_URL! });
    await admin.query(`create database \`${name}\` character set latin1 collate latin1_swedish_ci`);
    const url = new URL(TEST_MYSQL_URL!);
    url.pathname = `/${name}`;
    const { db } = await openDatabase(url.toString());
    try {
      await migrateToLatest(db);
      const [tables] = (await admin.query(
        "select table_name as t, table_collation as c from information_schema.tables where table_schema = ? and table_name <> 'kysely_migration' and table_name <> 'kysely_migration_lock'",
        [name],
      )) as unknown as [Array<{ t: string; c: string }>];
      expect(tables.map((t) => t.t).sort()).toEqual(Object.keys(EXPECTED).sort());
      for (const t of tables) expect(t.c, t.t).toBe("utf8mb4_bin");
      const [columns] = (await admin.query(
        "select table_name as t, column_name as n, character_set_name as cs from information_schema.columns where table_schema = ? and character_set_name is not null",
        [name],
      )) as unknown as [Array<{ t: string; n: string; cs: string }>];
      for (const c of columns.filter((c) => c.t !== "kysely_migration" && c.t !== "kysely_migration_lock"))
        expect(c.cs, `${c.t}.${c.n}`).toBe("utf8mb4");

      await db
        .insertInto("messages")
        .values({
          id: "m1",
          conversation_id: "c1",
          site_id: "s1",
          seq: 1,
          role: "user",
          content: TEXTS.join("\n"),
          status: "complete",
          error_code: null,
          model: null,
          prompt_tokens: null,
          completion_tokens: null,
          latency_ms: null,
          ttft_ms: null,
          checkpoint_at: null,
          created_at: 1,
        })
        .execute();
      const row = await db.selectFrom("messages").select("content").where("id", "=", "m1").executeTakeFirstOrThrow();
      expect(row.content).toBe(TEXTS.join("\n"));
    } finally {
      await db.destroy();
      await admin.query(`drop database if exists \`${name}\``);
      await admin.end();
    }
  });
});
