import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type TestDialect = "sqlite" | "mysql";

/** The MariaDB/MySQL server tests run against when TEST_MYSQL_URL is set (as CI sets it). */
export const TEST_MYSQL_URL = process.env.TEST_MYSQL_URL || undefined;

/** Every database the suite runs on here: SQLite always, MySQL when its URL is set. */
export const DIALECTS: TestDialect[] = TEST_MYSQL_URL ? ["sqlite", "mysql"] : ["sqlite"];

if (!TEST_MYSQL_URL && !process.env.BC_SKIP_NOTICE_SHOWN) {
  process.env.BC_SKIP_NOTICE_SHOWN = "1";
  process.stdout.write("\n[bailian-chat] TEST_MYSQL_URL is not set: the MySQL/MariaDB runs of the database tests are skipped.\n\n");
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database: a temp SQLite file, or a new MySQL database of its own (so test files never share rows). */
export async function createTestDatabase(dialect: TestDialect): Promise<TestDatabase> {
  if (dialect === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "bc-test-"));
    return { url: `sqlite:${join(dir, "test.sqlite")}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const { createConnection } = await import("mysql2/promise");
  const name = `bc_test_${randomBytes(6).toString("hex")}`;
  const admin = await createConnection({ uri: TEST_MYSQL_URL! });
  await admin.query(`create database \`${name}\` character set utf8mb4 collate utf8mb4_bin`);
  await admin.end();
  const url = new URL(TEST_MYSQL_URL!);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const conn = await createConnection({ uri: TEST_MYSQL_URL! });
      await conn.query(`drop database if exists \`${name}\``);
      await conn.end();
    },
  };
}
