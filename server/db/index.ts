// Opens the store (SQLite in <data>/lightflow.db, or PostgreSQL at
// LIGHTFLOW_DATABASE_URL) and brings its schema up to date. The only place
// that knows about migrations; the connections are in sqlite.ts and postgres/.
import type { Database } from "bun:sqlite";
import { closeSync, fchmodSync, openSync, rmSync } from "node:fs";
import type { UserStore } from "../auth/store.ts";
import type { Stores } from "../engine/stores.ts";
import { SqlAuditStore } from "./audit.ts";
import { SqlPoolStore } from "./pools.ts";
import { PostgresDb } from "./postgres/index.ts";
import { MIGRATION_LOCK, PREAMBLE, VERSION_TABLE, migrationForPostgres } from "./postgres/dialect.ts";
import { SqlRunStore } from "./runs.ts";
import { SqlScriptStore } from "./scripts.ts";
import { SqlPackageJobStore } from "./packages.ts";
import { SqlThrottleStore } from "./throttle.ts";
import { SqlSettingsStore } from "./settings.ts";
import type { SqlDb } from "./sql.ts";
import { SqliteDb, openSqliteFile } from "./sqlite.ts";
import { SqlTaskStore } from "./tasks.ts";
import { SqlUserStore } from "./users.ts";
import { SqlVariableStore } from "./variables.ts";
import m0001 from "./migrations/0001_init.sql" with { type: "text" };
import m0002 from "./migrations/0002_retries_alerts.sql" with { type: "text" };
import m0003 from "./migrations/0003_runs_task_live.sql" with { type: "text" };
import m0004 from "./migrations/0004_params_retry.sql" with { type: "text" };
import m0005 from "./migrations/0005_run_as.sql" with { type: "text" };
import m0006 from "./migrations/0006_chains_timezone.sql" with { type: "text" };
import m0007 from "./migrations/0007_cluster.sql" with { type: "text" };
import m0008 from "./migrations/0008_cluster_secret.sql" with { type: "text" };
import m0009 from "./migrations/0009_scripts.sql" with { type: "text" };

/** Forward-only, numbered, written in SQLite's words (postgres/dialect.ts says them in PostgreSQL's). */
const MIGRATIONS: readonly string[] = [m0001, m0002, m0003, m0004, m0005, m0006, m0007, m0008, m0009];

function newerSchema(done: number): Error {
  return new Error(`the database was written by a newer Lightflow (schema ${done}, this build knows ${MIGRATIONS.length})`);
}

/** The SQLite file with its schema up to date (also for tests and tools that read it directly). */
export function openDatabase(path: string): SqliteDb {
  const db = openSqliteFile(path);
  migrateSqlite(db);
  return new SqliteDb(db);
}

/** PRAGMA user_version records how many ran. */
function migrateSqlite(db: Database): void {
  const { user_version: done } = db.query("PRAGMA user_version").get() as { user_version: number };
  if (done > MIGRATIONS.length) throw newerSchema(done);
  for (let i = done; i < MIGRATIONS.length; i++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[i]!);
      db.exec(`PRAGMA user_version = ${i + 1}`);
    }).immediate();
  }
}

/** lightflow_schema records how many ran; an advisory lock makes nodes that start together migrate once. */
function migratePostgres(db: SqlDb): void {
  db.transaction(() => {
    db.exec(MIGRATION_LOCK);
    db.exec(VERSION_TABLE);
    let row = db.query<{ version: number }, []>("SELECT version FROM lightflow_schema").get();
    if (!row) {
      db.exec(PREAMBLE);
      db.query("INSERT INTO lightflow_schema (version) VALUES (0)").run();
      row = { version: 0 };
    }
    if (row.version > MIGRATIONS.length) throw newerSchema(row.version);
    for (let i = row.version; i < MIGRATIONS.length; i++) db.exec(migrationForPostgres(MIGRATIONS[i]!));
    db.query("UPDATE lightflow_schema SET version = ?").run(MIGRATIONS.length);
  });
}

/** Every store of a server (what serve and the CLI open). */
export interface AllStores extends Stores {
  users: UserStore;
  /** the connection itself (the cluster's leases and messages: cluster/postgres.ts) */
  sql: SqlDb;
  /** what a cluster's nodes share beyond that (unused on one node): the scripts, the sign-in throttle */
  scriptRows: SqlScriptStore;
  throttle: SqlThrottleStore;
  packageJobs: SqlPackageJobStore;
}

/** `auditNode`: the name the audit log's entries carry (the node, or the host of a command) */
export interface StoreOptions {
  auditNode?: string;
}

function storesOn(db: SqlDb, snapshot: (file: string) => void, o: StoreOptions, extra: Partial<Stores> = {}): AllStores {
  return {
    tasks: new SqlTaskStore(db),
    runs: new SqlRunStore(db),
    pools: new SqlPoolStore(db),
    variables: new SqlVariableStore(db),
    settings: new SqlSettingsStore(db),
    audit: new SqlAuditStore(db, o.auditNode ?? null),
    users: new SqlUserStore(db),
    sql: db,
    scriptRows: new SqlScriptStore(db),
    throttle: new SqlThrottleStore(db),
    packageJobs: new SqlPackageJobStore(db),
    kind: db.dialect,
    transaction: (fn) => db.transaction(fn),
    ping: () => void db.query("SELECT 1").get(),
    snapshot,
    close: () => db.close(),
    ...extra,
  };
}

/** The PostgreSQL connection with its schema up to date (also for tests and the bench). */
export function openPostgres(url: string, nodeLock: string | null = null): PostgresDb {
  const db = new PostgresDb(url, { nodeLock });
  try {
    migratePostgres(db);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

/** The stores on SQLite at `path` (<data>/lightflow.db). */
export function openStores(path: string, o: StoreOptions = {}): AllStores {
  const db = openDatabase(path);
  return storesOn(db, (file) => snapshot(db.raw, file), o);
}

/**
 * The stores on PostgreSQL. Throws StoreUnavailable (or the server's refusal)
 * when the first connection fails; the caller names LIGHTFLOW_DATABASE_URL.
 */
export function openPostgresStores(url: string, o: StoreOptions & { node?: string } = {}): AllStores {
  const db = openPostgres(url, o.node ?? null);
  const snapshot = () => {
    throw new Error("the database is PostgreSQL: back it up with pg_dump (README, \"PostgreSQL\")");
  };
  return storesOn(db, snapshot, o, { onAvailability: (listener) => db.onEvent((e) => listener(e.event === "up")) });
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
