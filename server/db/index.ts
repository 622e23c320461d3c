// Opens <data>/lightflow.db and brings its schema up to date. The only place
// that knows about pragmas and migrations.
import { Database } from "bun:sqlite";
import { closeSync, fchmodSync, openSync, rmSync } from "node:fs";
import type { UserStore } from "../auth/store.ts";
import type { Stores } from "../engine/stores.ts";
import { SqliteAuditStore } from "./audit.ts";
import { SqlitePoolStore } from "./pools.ts";
import { SqliteRunStore } from "./runs.ts";
import { SqliteSettingsStore } from "./settings.ts";
import { SqliteTaskStore } from "./tasks.ts";
import { SqliteUserStore } from "./users.ts";
import { SqliteVariableStore } from "./variables.ts";
import m0001 from "./migrations/0001_init.sql" with { type: "text" };
import m0002 from "./migrations/0002_retries_alerts.sql" with { type: "text" };
import m0003 from "./migrations/0003_runs_task_live.sql" with { type: "text" };

/** Forward-only, numbered; PRAGMA user_version records how many ran. */
const MIGRATIONS: readonly string[] = [m0001, m0002, m0003];

export function openDatabase(path: string): Database {
  if (path !== ":memory:") closeSync(openSync(path, "a", 0o600)); // create it 0600 before SQLite does (umask would widen it)
  const db = new Database(path, { strict: true });
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA busy_timeout = 5000");
  db.exec("PRAGMA foreign_keys = ON");
  migrate(db);
  return db;
}

export function migrate(db: Database): void {
  const { user_version: done } = db.query("PRAGMA user_version").get() as { user_version: number };
  if (done > MIGRATIONS.length) {
    throw new Error(`the database was written by a newer Lightflow (schema ${done}, this build knows ${MIGRATIONS.length})`);
  }
  for (let i = done; i < MIGRATIONS.length; i++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[i]!);
      db.exec(`PRAGMA user_version = ${i + 1}`);
    }).immediate();
  }
}

/** One state change, one transaction, taken with BEGIN IMMEDIATE so writers never deadlock on upgrade. */
export function tx<T>(db: Database, fn: () => T): T {
  return db.transaction(fn).immediate();
}

/** Every store of a server on one SQLite file (what serve and the CLI open). */
export interface SqliteStores extends Stores {
  users: UserStore;
}

export function openStores(path: string): SqliteStores {
  const db = openDatabase(path);
  return {
    tasks: new SqliteTaskStore(db),
    runs: new SqliteRunStore(db),
    pools: new SqlitePoolStore(db),
    variables: new SqliteVariableStore(db),
    settings: new SqliteSettingsStore(db),
    audit: new SqliteAuditStore(db),
    users: new SqliteUserStore(db),
    transaction: (fn) => tx(db, fn),
    snapshot: (file) => snapshot(db, file),
    close: () => db.close(),
  };
}

/** A consistent copy of the live database into `file`, which must not exist; 0600 whatever the umask. */
function snapshot(db: Database, file: string): void {
  // Left to SQLite, the file would get 0666 less the umask. VACUUM INTO fills
  // an empty file and keeps its mode, so make it first.
  const fd = openSync(file, "wx", 0o600);
  try {
    fchmodSync(fd, 0o600);
  } finally {
    closeSync(fd);
  }
  try {
    db.query("VACUUM INTO ?").run(file);
  } catch (e) {
    rmSync(file, { force: true });
    throw e;
  }
}
