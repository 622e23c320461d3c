// Data directories for the benchmarks: a database built directly (one SQL
// transaction, no HTTP), an active admin with an API token, then the
// compiled server is started on it.
import { openDatabase, openPostgres } from "../../server/db/index.ts";
import type { SqlDb } from "../../server/db/sql.ts";
import { SqliteDb } from "../../server/db/sqlite.ts";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256, randomToken } from "../../server/auth/crypto.ts";
import { SqlUserStore as UserStore } from "../../server/db/users.ts";
import type { StepDef } from "../../server/engine/types.ts";

/** The step fields the benchmarks set; any other column keeps its schema default. */
export type BenchStep = Pick<StepDef, "name" | "command" | "args" | "run_rule" | "timeout_s">;

const DAY = 86_400_000;

export interface TaskSpec {
  name: string;
  cron?: string | null;
  pool?: string | null;
  steps: BenchStep[];
}

export interface HistorySpec {
  /** runs in all, spread round-robin over the tasks (newest last) */
  runs: number;
  /** the history spans this many days before now (inside the 30-day retention) */
  days?: number;
}

export interface DataSpec {
  tasks: TaskSpec[];
  pools?: { name: string; slots: number }[];
  history?: HistorySpec;
}

export interface DataDir {
  dir: string;
  token: string;
  taskIds: Map<string, number>;
  buildMs: number;
  cleanup(): void;
}

export const step = (name: string, command: string, args: string[] = [], timeout_s = 600): BenchStep => ({
  name,
  command,
  args,
  run_rule: "on_success",
  timeout_s,
});

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `lightflow-bench-${label}-`));
}

function addAdmin(db: SqlDb, now: number): string {
  const users = new UserStore(db);
  const admin = users.insert("bench@example.com", "admin", now)!;
  users.update(admin.id, { status: "active" }, now);
  const token = `lf_${randomToken(32)}`;
  users.createToken(admin.id, "bench", sha256(token), now);
  return token;
}

/**
 * History rows made by SQLite itself (a recursive CTE), in the order a real
 * server writes them: ids rise with time, tasks interleaved. Every run has
 * one step_run per step of its task; one run in 23 failed at its second step.
 */
function addHistory(db: SqliteDb, h: HistorySpec, taskCount: number, now: number): void {
  const span = (h.days ?? 20) * DAY;
  const first = db.query<{ id: number }, []>("SELECT min(id) AS id FROM tasks").get()!.id;
  const last = db.query<{ id: number }, []>("SELECT max(id) AS id FROM tasks").get()!.id;
  if (last - first + 1 !== taskCount) throw new Error("task ids are not contiguous");
  const perTask = Math.ceil(h.runs / taskCount);
  const every = Math.floor(span / perTask); // one run of each task every `every` ms
  db.raw.query(
    `WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < $n - 1)
     INSERT INTO runs (task_id, status, trigger, triggered_by, scheduled_for, queued_at, started_at, ended_at)
     SELECT $first + i % $tasks,
            CASE WHEN i % 23 = 7 THEN 'failed' ELSE 'success' END,
            'schedule', NULL,
            $t0 + (i / $tasks) * $every + (i % $tasks),
            $t0 + (i / $tasks) * $every + (i % $tasks),
            $t0 + (i / $tasks) * $every + (i % $tasks) + 3,
            $t0 + (i / $tasks) * $every + (i % $tasks) + 900
     FROM seq`,
  ).run({ n: h.runs, first, tasks: taskCount, t0: now - span, every }); // named parameters: bun:sqlite itself
  db.query(
    `INSERT INTO step_runs (run_id, position, name, command, args, run_rule, timeout_s, status, exit_code, started_at, ended_at, log_bytes)
     SELECT r.id, s.position, s.name, s.command, s.args, s.run_rule, s.timeout_s,
            CASE WHEN r.status = 'success' THEN 'success' WHEN s.position = 1 THEN 'success'
                 WHEN s.position = 2 THEN 'failed' ELSE 'not_run' END,
            CASE WHEN r.status = 'success' OR s.position = 1 THEN 0 WHEN s.position = 2 THEN 1 ELSE NULL END,
            CASE WHEN r.status = 'failed' AND s.position > 2 THEN NULL ELSE r.started_at + (s.position - 1) * 300 END,
            CASE WHEN r.status = 'failed' AND s.position > 2 THEN NULL ELSE r.started_at + s.position * 300 - 10 END,
            CASE WHEN r.status = 'failed' AND s.position > 2 THEN 0 ELSE 1200 + s.position END
     FROM runs r JOIN steps s ON s.task_id = r.task_id ORDER BY r.id, s.position`,
  ).run();
}

/** The pools, tasks, history and an admin with an API token, in `db` (empty, schema made), in one transaction. */
function fill(db: SqlDb, spec: DataSpec): { token: string; taskIds: Map<string, number> } {
  const now = Date.now();
  let token = "";
  const taskIds = new Map<string, number>();
  db.transaction(() => {
    for (const p of spec.pools ?? []) db.query("INSERT INTO pools (name, slots) VALUES (?, ?)").run(p.name, p.slots);
    const insTask = db.query<{ id: number }, [string, string | null, string | null, number, number, number]>(
      `INSERT INTO tasks (name, description, cron, enabled, pool, catchup, schedule_anchor, created_at, updated_at)
       VALUES (?, '', ?, 1, ?, 0, ?, ?, ?) RETURNING id`,
    );
    const insStep = db.query(
      "INSERT INTO steps (task_id, position, name, command, args, run_rule, timeout_s) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    for (const t of spec.tasks) {
      const { id } = insTask.get(t.name, t.cron ?? null, t.pool ?? null, now, now - DAY * 40, now - DAY * 40)!;
      taskIds.set(t.name, id);
      t.steps.forEach((s, i) => insStep.run(id, i + 1, s.name, s.command, JSON.stringify(s.args), s.run_rule, s.timeout_s));
    }
    if (spec.history && spec.history.runs > 0) {
      if (!(db instanceof SqliteDb)) throw new Error("bench history is built on SQLite only");
      addHistory(db, spec.history, spec.tasks.length, now);
    }
    token = addAdmin(db, now);
  });
  return { token, taskIds };
}

function dataDir(dir: string, filled: { token: string; taskIds: Map<string, number> }, t0: number, drop: () => void = () => {}): DataDir {
  return {
    dir,
    ...filled,
    buildMs: performance.now() - t0,
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
      drop();
    },
  };
}

/** Builds <dir>/lightflow.db through openDatabase (so the schema is the server's own) in one transaction. */
export function buildData(label: string, spec: DataSpec, dir = tempDir(label)): DataDir {
  const t0 = performance.now();
  mkdirSync(join(dir, "logs"), { recursive: true, mode: 0o700 });
  const db = openDatabase(join(dir, "lightflow.db"));
  try {
    db.exec("PRAGMA cache_size = -262144"); // 256 MiB for this connection: index building in one pass
    const filled = fill(db, spec);
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    return dataDir(dir, filled, t0);
  } finally {
    db.close();
  }
}

/** The same on PostgreSQL: `url`'s database gets the server's own schema and the data; the directory holds the logs. */
export function buildPostgresData(label: string, spec: DataSpec, url: string): DataDir {
  const t0 = performance.now();
  const dir = tempDir(label);
  mkdirSync(join(dir, "logs"), { recursive: true, mode: 0o700 });
  const db = openPostgres(url);
  try {
    return dataDir(dir, fill(db, spec), t0);
  } finally {
    db.close();
  }
}

/** An expression that does not fire for hours from now (UTC): midnight-ish, twelve hours away. */
export function farCron(now = new Date()): string {
  return `0 ${(now.getUTCHours() + 12) % 24} * * *`;
}
