import { type Kysely, MysqlAdapter } from "kysely";

/** Kysely<any>: migrations call it too, with their schema-less handle. */
export function isMysql(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof MysqlAdapter;
}
