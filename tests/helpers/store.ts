// The database behind a data directory, for tests that look at (or age) rows
// directly: SQLite in <dir>/lightflow.db, or the directory's PostgreSQL
// database when LIGHTFLOW_TEST_STORE=postgres. The statements are the stores'
// own dialect (server/db/sql.ts), so one test reads both.
import { join } from "node:path";
import { openDatabase, openPostgres } from "../../server/db/index.ts";
import type { SqlDb } from "../../server/db/sql.ts";
import { databaseFor, onPostgres } from "./pg.ts";

export async function storeOf(dataDir: string): Promise<SqlDb> {
  return onPostgres ? openPostgres(await databaseFor(dataDir)) : openDatabase(join(dataDir, "lightflow.db"));
}
