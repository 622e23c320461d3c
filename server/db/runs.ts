// Runs and their step runs. The only SQL about runs. Every state change is one
// short transaction, so a crash never leaves a half-written run.
import type { SqlDb } from "./sql.ts";
import type { LiveStep, RunFilter, RunSeed, RunStore, RunWrite } from "../engine/stores.ts";
import type { Run, RunStatus, RunView, StepDef, StepRun, StepStatus, StepView, Task, Trigger, Upstream } from "../engine/types.ts";

interface RunRow {
  id: number;
  task_id: number;
  task: string;
  pool: string | null;
  status: RunStatus;
  trigger: Trigger;
  triggered_by: string | null;
  scheduled_for: number | null;
  queued_at: number;
  started_at: number | null;
  ended_at: number | null;
  params: string;
  retry_of: number | null;
  node: string | null;
}
interface StepRunRow {
  run_id: number;
  position: number;
  name: string;
  command: string;
  args: string;
  run_rule: StepDef["run_rule"];
  timeout_s: number;
  retries: number;
  retry_delay_s: number;
  run_as: string | null;
  attempt: number;
  status: StepStatus;
  exit_code: number | null;
  signal: string | null;
  error: string | null;
  started_at: number | null;
  ended_at: number | null;
  log_bytes: number;
  done_in: number | null;
}

export type { LiveStep, RunWrite, StepResult } from "../engine/stores.ts";

/** The columns of a StepView, for lists: a grid of 100 tasks × 50 runs reads 15,000 of these. */
const STEP_VIEW_COLS = "run_id, position, name, attempt, retries, status, exit_code, signal, error, started_at, ended_at, log_bytes, done_in";
type StepViewRow = StepView & { run_id: number };

const RUN_COLS = `r.id, r.task_id, t.name AS task, t.pool, r.status, r.trigger, r.triggered_by,
  r.scheduled_for, r.queued_at, r.started_at, r.ended_at, r.params, r.retry_of, r.node`;

/** A run row as the domain has it: its parameters parsed. */
const runOf = <T extends RunRow>(r: T) => ({ ...r, params: JSON.parse(r.params) as Record<string, string> });

function stepOf(s: StepRunRow): StepRun {
  return {
    position: s.position,
    name: s.name,
    command: s.command,
    args: JSON.parse(s.args) as string[],
    run_rule: s.run_rule,
    timeout_s: s.timeout_s,
    retries: s.retries,
    retry_delay_s: s.retry_delay_s,
    run_as: s.run_as,
    attempt: s.attempt,
    status: s.status,
    exit_code: s.exit_code,
    signal: s.signal,
    error: s.error,
    started_at: s.started_at,
    ended_at: s.ended_at,
    log_bytes: s.log_bytes,
    done_in: s.done_in,
  };
}

export class SqlRunStore implements RunStore {
  private readonly q;

  constructor(private readonly db: SqlDb) {
    this.q = {
      insertRun: db.query<{ id: number }, [number, string, string | null, number | null, number, string | null]>(
        `INSERT INTO runs (task_id, status, trigger, triggered_by, scheduled_for, queued_at, upstream)
         VALUES (?, 'queued', ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
      ),
      insertStep: db.query(
        `INSERT INTO step_runs (run_id, position, name, command, args, run_rule, timeout_s, retries, retry_delay_s)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      seedRun: db.query("UPDATE runs SET params = ?, retry_of = ? WHERE id = ?"),
      seedStep: db.query("UPDATE step_runs SET status = 'skipped', done_in = ? WHERE run_id = ? AND position = ?"),
      stepRunAs: db.query("UPDATE step_runs SET run_as = ? WHERE run_id = ? AND position = ?"),
      // only a whole run carries its upstream (lists do not need it)
      run: db.query<RunRow & { upstream: string | null }, [number]>(`SELECT ${RUN_COLS}, r.upstream FROM runs r JOIN tasks t ON t.id = r.task_id WHERE r.id = ?`),
      steps: db.query<StepRunRow, [number]>("SELECT * FROM step_runs WHERE run_id = ? ORDER BY position"),
      queuedOf: db.query<{ id: number }, [number]>(
        // the IN term says nothing new, but without it SQLite cannot use the partial index runs_task_live
        "SELECT id FROM runs WHERE task_id = ? AND status IN ('queued', 'running') AND status = 'queued' ORDER BY id LIMIT 1",
      ),
      newest: db.query<{ n: number; lo: number | null; hi: number | null }, [number, number]>(
        "SELECT count(*) AS n, min(id) AS lo, max(id) AS hi FROM (SELECT id FROM runs WHERE task_id = ? ORDER BY id DESC LIMIT ?) AS newest",
      ),
      liveOf: db.query<{ id: number }, [number]>(
        "SELECT id FROM runs WHERE task_id = ? AND status IN ('queued', 'running') LIMIT 1",
      ),
      setRun: db.query("UPDATE runs SET status = ?, started_at = COALESCE(?, started_at), ended_at = ? WHERE id = ?"),
      setNode: db.query("UPDATE runs SET node = ? WHERE id = ?"),
      stepStart: db.query(
        "UPDATE step_runs SET status = 'running', attempt = ?, started_at = ?, pid = NULL, pid_start = NULL, token = ? WHERE run_id = ? AND position = ?",
      ),
      stepSpawned: db.query("UPDATE step_runs SET pid = ?, pid_start = ? WHERE run_id = ? AND position = ? AND token = ?"),
      stepEnd: db.query(
        `UPDATE step_runs SET status = ?, exit_code = ?, signal = ?, error = ?, ended_at = ?, log_bytes = ?
         WHERE run_id = ? AND position = ?`,
      ),
      stepStatus: db.query("UPDATE step_runs SET status = ? WHERE run_id = ? AND position = ?"),
      pendingNotRun: db.query("UPDATE step_runs SET status = 'not_run' WHERE run_id = ? AND status = 'pending'"),
      page: db.query<RunRow, [number, number, number]>(
        `SELECT ${RUN_COLS} FROM runs r JOIN tasks t ON t.id = r.task_id
         WHERE r.task_id = ? AND r.id < ? ORDER BY r.id DESC LIMIT ?`,
      ),
      stepViews: db.query<StepViewRow, [number]>(`SELECT ${STEP_VIEW_COLS} FROM step_runs WHERE run_id = ? ORDER BY position`),
      pageSteps: db.query<StepViewRow, [number, number, number]>(
        `SELECT ${STEP_VIEW_COLS} FROM step_runs WHERE run_id IN
           (SELECT id FROM runs WHERE task_id = ? AND id < ? ORDER BY id DESC LIMIT ?)
         ORDER BY run_id, position`,
      ),
    };
  }

  /**
   * Queues a run with a copy of the task's steps, all `pending`, and returns
   * it as `get` would. Returns null when this task already has a run for
   * this fire time (restarts inside the fire minute never produce a second
   * scheduled run). `within` runs inside the same transaction (the trigger's
   * audit row).
   */
  insertQueued(task: Task, trigger: Trigger, by: string | null, scheduledFor: number | null, now: number, within?: (run: Run) => void, seed: RunSeed = {}): Run | null {
    return this.db.transaction(() => {
      const row = this.q.insertRun.get(task.id, trigger, by, scheduledFor, now, seed.upstream ? JSON.stringify(seed.upstream) : null);
      if (!row) return null;
      const steps: StepRun[] = task.steps.map((s, i) => {
        this.q.insertStep.run(row.id, i + 1, s.name, s.command, JSON.stringify(s.args), s.run_rule, s.timeout_s, s.retries, s.retry_delay_s);
        // the user it runs as: the step's own, else the task's
        const runAs = s.run_as ?? task.run_as ?? null;
        if (runAs) this.q.stepRunAs.run(runAs, row.id, i + 1);
        return {
          run_as: runAs,
          position: i + 1,
          name: s.name,
          command: s.command,
          args: [...s.args],
          run_rule: s.run_rule,
          timeout_s: s.timeout_s,
          retries: s.retries,
          retry_delay_s: s.retry_delay_s,
          attempt: 1,
          status: "pending",
          exit_code: null,
          signal: null,
          error: null,
          started_at: null,
          ended_at: null,
          log_bytes: 0,
          done_in: null,
        };
      });
      const params = seed.params ?? {};
      this.q.seedRun.run(JSON.stringify(params), seed.retryOf ?? null, row.id);
      for (const [position, doneIn] of seed.doneIn ?? []) {
        this.q.seedStep.run(doneIn, row.id, position);
        Object.assign(steps[position - 1]!, { status: "skipped", done_in: doneIn });
      }
      const run: Run = {
        id: row.id,
        task_id: task.id,
        task: task.name,
        pool: task.pool,
        status: "queued",
        trigger,
        triggered_by: by,
        scheduled_for: scheduledFor,
        queued_at: now,
        started_at: null,
        ended_at: null,
        params,
        retry_of: seed.retryOf ?? null,
        upstream: seed.upstream ?? null,
        node: null,
        steps,
      };
      within?.(run);
      return run;
    });
  }

  get(id: number): Run | null {
    const row = this.q.run.get(id);
    return row ? { ...runOf(row), upstream: row.upstream ? (JSON.parse(row.upstream) as Upstream) : null, steps: this.q.steps.all(id).map(stepOf) } : null;
  }

  queuedRunOf(taskId: number): number | null {
    return this.q.queuedOf.get(taskId)?.id ?? null;
  }

  /**
   * Which runs are a task's newest `limit`: their count and lowest and highest
   * id. Ids only grow and are never reused, so the same three numbers mean the
   * same runs (one that leaves the set lowers the count or brings in a lower id).
   */
  newestSpan(taskId: number, limit: number): string {
    const { n, lo, hi } = this.q.newest.get(taskId, limit)!;
    return `${n}:${lo}:${hi}`;
  }

  hasLiveRun(taskId: number): boolean {
    return this.q.liveOf.get(taskId) !== null;
  }

  /** Runs still queued or running, oldest first (start-up and recovery). */
  live(): Run[] {
    const ids = this.db
      .query<{ id: number }, []>("SELECT id FROM runs WHERE status IN ('queued', 'running') ORDER BY queued_at, id")
      .all();
    return ids.map(({ id }) => this.get(id)!);
  }

  /**
   * Changes of one run, in one transaction, in this order: the run starts,
   * a step ends, a step will not run, an attempt of a step starts (written
   * before its process exists, with the token its processes will carry, so a
   * crash right after the spawn still finds them and never runs the step a
   * second time), the run ends (every step still pending becomes `not_run`).
   * The runner joins the changes of one moment: a run's start with its first
   * step's, a step's end with the next step's start or the run's end.
   */
  write(runId: number, w: RunWrite, owner?: string): void {
    if (owner !== undefined) return this.writeOwned(runId, w, owner);
    this.db.transaction(() => {
      if (w.started !== undefined) this.q.setRun.run("running", w.started, null, runId);
      if (w.node !== undefined) this.q.setNode.run(w.node, runId);
      if (w.stepEnded) {
        const r = w.stepEnded.result;
        this.q.stepEnd.run(r.status, r.exit_code, r.signal, r.error, r.ended_at, r.log_bytes, runId, w.stepEnded.position);
      }
      if (w.notRun !== undefined) this.q.stepStatus.run("not_run", runId, w.notRun);
      if (w.stepStarting) {
        const s = w.stepStarting;
        this.q.stepStart.run(s.attempt, s.at, s.token, runId, s.position);
      }
      if (w.finished) {
        this.q.pendingNotRun.run(runId);
        this.q.setRun.run(w.finished.status, null, w.finished.at, runId);
      }
    });
  }

  /**
   * `write` on a cluster: only while the run is still `owner`'s and not
   * ended. The leader closes the runs of a node it found gone; that node's
   * own writes, kept while it could not reach the database, must not undo it.
   */
  private writeOwned(runId: number, w: RunWrite, owner: string): void {
    const mine = "EXISTS (SELECT 1 FROM runs o WHERE o.id = ? AND o.node = ? AND o.status IN ('queued', 'running'))";
    const db = this.db;
    db.transaction(() => {
      if (w.started !== undefined) db.query("UPDATE runs SET status = 'running', started_at = ? WHERE id = ? AND node = ? AND status = 'queued'").run(w.started, runId, owner);
      if (w.stepEnded) {
        const r = w.stepEnded.result;
        db.query(`UPDATE step_runs SET status = ?, exit_code = ?, signal = ?, error = ?, ended_at = ?, log_bytes = ? WHERE run_id = ? AND position = ? AND ${mine}`)
          .run(r.status, r.exit_code, r.signal, r.error, r.ended_at, r.log_bytes, runId, w.stepEnded.position, runId, owner);
      }
      if (w.notRun !== undefined) db.query(`UPDATE step_runs SET status = 'not_run' WHERE run_id = ? AND position = ? AND ${mine}`).run(runId, w.notRun, runId, owner);
      if (w.stepStarting) {
        const s = w.stepStarting;
        db.query(`UPDATE step_runs SET status = 'running', attempt = ?, started_at = ?, pid = NULL, pid_start = NULL, token = ? WHERE run_id = ? AND position = ? AND ${mine}`)
          .run(s.attempt, s.at, s.token, runId, s.position, runId, owner);
      }
      if (w.finished) {
        db.query(`UPDATE step_runs SET status = 'not_run' WHERE run_id = ? AND status = 'pending' AND ${mine}`).run(runId, runId, owner);
        db.query("UPDATE runs SET status = ?, ended_at = ? WHERE id = ? AND node = ? AND status IN ('queued', 'running')").run(w.finished.status, w.finished.at, runId, owner);
      }
    });
  }

  /** The attempt with this token (a later one may have started meanwhile) runs as `pid`, started at `pidStart`. */
  stepSpawned(runId: number, position: number, token: string, pid: number, pidStart: number): void {
    this.q.stepSpawned.run(pid, pidStart, runId, position, token);
  }

  /** Newest first, `limit` runs older than run id `before`. */
  page(taskId: number, limit: number, before = Number.MAX_SAFE_INTEGER): RunView[] {
    const rows = this.q.page.all(taskId, before, limit);
    const steps = this.q.pageSteps.all(taskId, before, limit);
    // both are ordered by run id (one ascending, one descending): walk the steps from the end
    let i = steps.length;
    return rows.map((r) => {
      const mine: StepView[] = [];
      while (i > 0 && steps[i - 1]!.run_id === r.id) mine.push(steps[--i]!);
      return { ...runOf(r), steps: mine.reverse() };
    });
  }

  /** Like page, only runs with one of `statuses` queued within [from, to). */
  filtered(taskId: number, limit: number, before: number | undefined, f: RunFilter): RunView[] {
    const where = ["r.task_id = ?", "r.id < ?"];
    const args: (number | string)[] = [taskId, before ?? Number.MAX_SAFE_INTEGER];
    if (f.statuses?.length) {
      where.push(`r.status IN (${f.statuses.map(() => "?").join(", ")})`);
      args.push(...f.statuses);
    }
    if (f.from !== undefined) where.push("r.queued_at >= ?"), args.push(f.from);
    if (f.to !== undefined) where.push("r.queued_at < ?"), args.push(f.to);
    const rows = this.db
      .query<RunRow, (number | string)[]>(`SELECT ${RUN_COLS} FROM runs r JOIN tasks t ON t.id = r.task_id WHERE ${where.join(" AND ")} ORDER BY r.id DESC LIMIT ?`)
      .all(...args, limit);
    return rows.map((r) => ({ ...runOf(r), steps: this.q.stepViews.all(r.id) }));
  }

  /** The task's finished run just before run `id` (to tell a recovery from a plain success). */
  previousFinished(taskId: number, id: number): { id: number; status: RunStatus } | null {
    return this.db
      .query<{ id: number; status: RunStatus }, [number, number]>(
        "SELECT id, status FROM runs WHERE task_id = ? AND id < ? AND status IN ('success', 'failed') ORDER BY id DESC LIMIT 1",
      )
      .get(taskId, id);
  }

  liveStep(runId: number, position: number): LiveStep | null {
    return this.db
      .query<LiveStep, [number, number]>("SELECT run_id, position, pid, pid_start, token FROM step_runs WHERE run_id = ? AND position = ?")
      .get(runId, position);
  }

  /** Deletes finished runs that ended before `cutoff`; returns them for their log directories. */
  lastSuccesses(): Map<string, number> {
    const rows = this.db
      .query<{ task: string; at: number }, []>(
        "SELECT t.name AS task, max(r.ended_at) AS at FROM runs r JOIN tasks t ON t.id = r.task_id WHERE r.status = 'success' GROUP BY r.task_id, t.name",
      )
      .all();
    return new Map(rows.map((r) => [r.task, r.at]));
  }

  cancelQueued(runId: number, at: number): boolean {
    return this.db.transaction(() => {
      const done = this.db.query("UPDATE runs SET status = 'cancelled', ended_at = ? WHERE id = ? AND status = 'queued' AND node IS NULL").run(at, runId).changes === 1;
      if (done) this.q.pendingNotRun.run(runId);
      return done;
    });
  }

  closeNode(node: string, error: string, at: number): { ended: number[]; requeued: { id: number; task_id: number }[] } {
    return this.db.transaction(() => {
      // the IN term lets both stores use the partial index of live runs
      const live = `SELECT id FROM runs WHERE node = ? AND status IN ('queued', 'running') AND status = 'running'`;
      const ended = this.db.query<{ id: number }, [string]>(live).all(node).map((r) => r.id);
      const requeued = this.db
        .query<{ id: number; task_id: number }, [string]>("SELECT id, task_id FROM runs WHERE node = ? AND status IN ('queued', 'running') AND status = 'queued'")
        .all(node);
      if (ended.length) {
        this.db.query(`UPDATE step_runs SET status = 'failed', error = ?, ended_at = ? WHERE status = 'running' AND run_id IN (${live})`).run(error, at, node);
        this.db.query(`UPDATE step_runs SET status = 'not_run' WHERE status = 'pending' AND run_rule <> 'always' AND run_id IN (${live})`).run(node);
        this.db.query("UPDATE runs SET status = 'failed', ended_at = ? WHERE node = ? AND status IN ('queued', 'running') AND status = 'running'").run(at, node);
      }
      if (requeued.length) this.db.query("UPDATE runs SET node = NULL WHERE node = ? AND status IN ('queued', 'running') AND status = 'queued'").run(node);
      return { ended, requeued };
    });
  }

  givenTo(node: string): number[] {
    return this.db
      .query<{ id: number }, [string]>("SELECT id FROM runs WHERE node = ? AND status IN ('queued', 'running') AND status = 'queued' ORDER BY id")
      .all(node)
      .map((r) => r.id);
  }

  owedAlways(node: string): Run[] {
    const ids = this.db
      .query<{ id: number }, [string]>(
        `SELECT r.id FROM runs r WHERE r.node = ? AND r.status = 'failed'
         AND EXISTS (SELECT 1 FROM step_runs s WHERE s.run_id = r.id AND s.status = 'pending') ORDER BY r.id`,
      )
      .all(node);
    return ids.map(({ id }) => this.get(id)!);
  }

  liveCounts(): Map<string, { running: number; queued: number }> {
    const rows = this.db
      .query<{ pool: string | null; status: string; n: number }, []>(
        `SELECT t.pool, r.status, count(*) AS n FROM runs r JOIN tasks t ON t.id = r.task_id
         WHERE r.status IN ('queued', 'running') GROUP BY t.pool, r.status`,
      )
      .all();
    const out = new Map<string, { running: number; queued: number }>();
    for (const r of rows) {
      const c = out.get(r.pool ?? "") ?? { running: 0, queued: 0 };
      if (r.status === "running") c.running += Number(r.n);
      else c.queued += Number(r.n);
      out.set(r.pool ?? "", c);
    }
    return out;
  }

  runningByNode(): Map<string, number> {
    const rows = this.db
      .query<{ node: string | null; n: number }, []>("SELECT node, count(*) AS n FROM runs WHERE status IN ('queued', 'running') AND status = 'running' GROUP BY node")
      .all();
    return new Map(rows.filter((r) => r.node !== null).map((r) => [r.node!, Number(r.n)]));
  }

  deleteEndedBefore(cutoff: number, batch = 1000): { id: number; task: string }[] {
    return this.db.transaction(() => {
      const gone = this.db
        .query<{ id: number; task: string }, [number, number]>(
          `SELECT r.id, t.name AS task FROM runs r JOIN tasks t ON t.id = r.task_id
           WHERE r.ended_at < ? AND r.status IN ('success', 'failed', 'cancelled') LIMIT ?`,
        )
        .all(cutoff, batch);
      const del = this.db.query("DELETE FROM runs WHERE id = ?");
      for (const r of gone) del.run(r.id);
      return gone;
    });
  }
}
