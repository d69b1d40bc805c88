import { type Kysely, MysqlAdapter } from "kysely";

export function isMysql(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof MysqlAdapter;
}
