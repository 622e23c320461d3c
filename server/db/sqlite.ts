// The SQLite connection: bun:sqlite as it is, with the pragmas Lightflow needs.
import { Database } from "bun:sqlite";
import { closeSync, openSync } from "node:fs";
import type { SqlDb, SqlStatement } from "./sql.ts";

export class SqliteDb implements SqlDb {
  readonly dialect = "sqlite";

  constructor(readonly raw: Database) {}

  query<R, P extends (string | number | null)[]>(sql: string): SqlStatement<R, P> {
    return this.raw.query(sql) as unknown as SqlStatement<R, P>; // Bun caches the statement by its text
  }

  readLater<R>(sql: string, ...params: (string | number | null)[]): () => R[] {
    const rows = this.raw.query(sql).all(...params) as R[];
    return () => rows;
  }

  exec(sql: string): void {
    this.raw.exec(sql);
  }

  /** BEGIN IMMEDIATE, so writers never deadlock on upgrade; nested ones are savepoints */
  transaction<T>(fn: () => T): T {
    return this.raw.transaction(fn).immediate();
  }

  close(): void {
    this.raw.close();
  }
}

/** <data>/lightflow.db, made 0600 before SQLite does (umask would widen it). */
export function openSqliteFile(path: string): Database {
  if (path !== ":memory:") closeSync(openSync(path, "a", 0o600));
  const db = new Database(path, { strict: true });
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA busy_timeout = 5000");
  db.exec("PRAGMA foreign_keys = ON");
  return db;
}
