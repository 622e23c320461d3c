// Tasks and their steps. The only SQL about tasks.
import type { SqlDb } from "./sql.ts";
import type { TaskPatch, TaskStore } from "../engine/stores.ts";
import type { ChainLink, ChainWhen, ParamDef, StepDef, Task, TaskDef } from "../engine/types.ts";

interface TaskRow {
  id: number;
  name: string;
  description: string;
  cron: string | null;
  enabled: number;
  pool: string | null;
  catchup: number;
  schedule_anchor: number | null;
  start_deadline_s: number | null;
  alert_emails: string;
  params: string;
  run_as: string | null;
  timezone: string | null;
  runs_on: string | null;
  created_at: number;
  updated_at: number;
}
/** a link of task_id to its upstream, with the upstream's name as it is now */
interface LinkRow {
  task_id: number;
  upstream: string;
  upon: ChainWhen;
}
const LINKS = `SELECT l.task_id, u.name AS upstream, l.upon FROM task_links l JOIN tasks u ON u.id = l.upstream_id`;
const linkOf = (l: LinkRow): ChainLink => ({ task: l.upstream, when: l.upon });

interface StepRow {
  task_id: number;
  name: string;
  command: string;
  args: string;
  run_rule: StepDef["run_rule"];
  timeout_s: number;
  retries: number;
  retry_delay_s: number;
  run_as: string | null;
}

export class SqlTaskStore implements TaskStore {
  private readonly byId;
  private readonly byName;
  private readonly stepsOf;
  private readonly insertTask;
  private readonly insertStep;
  private readonly deleteSteps;
  private readonly setParams;
  private readonly setRunAs;
  private readonly setStepRunAs;
  private readonly linksOf;
  private readonly insertLink;
  private readonly deleteLinks;
  private readonly followersOf;

  constructor(private readonly db: SqlDb) {
    this.byId = db.query<TaskRow, [number]>("SELECT * FROM tasks WHERE id = ?");
    this.byName = db.query<TaskRow, [string]>("SELECT * FROM tasks WHERE name = ?");
    this.stepsOf = db.query<StepRow, [number]>("SELECT * FROM steps WHERE task_id = ? ORDER BY position");
    this.insertTask = db.query<{ id: number }, [string, string, string | null, number, string | null, number, number | null, string, number, number, number]>(
      `INSERT INTO tasks (name, description, cron, enabled, pool, catchup, start_deadline_s, alert_emails, schedule_anchor, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    );
    this.setParams = db.query("UPDATE tasks SET params = ? WHERE id = ?");
    this.insertStep = db.query(
      "INSERT INTO steps (task_id, position, name, command, args, run_rule, timeout_s, retries, retry_delay_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    // run_as in statements of its own, so the columns other changes add merge apart
    this.setRunAs = db.query("UPDATE tasks SET run_as = ? WHERE id = ?");
    this.setStepRunAs = db.query("UPDATE steps SET run_as = ? WHERE task_id = ? AND position = ?");
    this.deleteSteps = db.query("DELETE FROM steps WHERE task_id = ?");
    this.linksOf = db.query<LinkRow, [number]>(`${LINKS} WHERE l.task_id = ? ORDER BY l.position`);
    // parameters in VALUES take the columns' types on PostgreSQL too (in a SELECT list they would be text)
    this.insertLink = db.query(
      "INSERT INTO task_links (task_id, upstream_id, position, upon) VALUES (?, (SELECT id FROM tasks WHERE name = ?), ?, ?)",
    );
    this.deleteLinks = db.query("DELETE FROM task_links WHERE task_id = ?");
    this.followersOf = db.query<{ id: number; name: string; upon: ChainWhen }, [number]>(
      "SELECT t.id, t.name, l.upon FROM task_links l JOIN tasks t ON t.id = l.task_id WHERE l.upstream_id = ? ORDER BY t.name",
    );
  }

  private hydrate(row: TaskRow, steps: StepRow[], links: LinkRow[] = this.linksOf.all(row.id)): Task {
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      cron: row.cron,
      enabled: row.enabled === 1,
      pool: row.pool,
      catchup: row.catchup === 1,
      start_deadline_s: row.start_deadline_s,
      alert_emails: JSON.parse(row.alert_emails) as string[],
      params: JSON.parse(row.params) as ParamDef[],
      ...(row.run_as ? { run_as: row.run_as } : {}),
      after: links.map(linkOf),
      timezone: row.timezone,
      ...(row.runs_on ? { runs_on: row.runs_on } : {}),
      steps: steps.map((s) => ({
        name: s.name,
        command: s.command,
        args: JSON.parse(s.args) as string[],
        run_rule: s.run_rule,
        timeout_s: s.timeout_s,
        retries: s.retries,
        retry_delay_s: s.retry_delay_s,
        ...(s.run_as ? { run_as: s.run_as } : {}),
      })),
      created_at: row.created_at,
      updated_at: row.updated_at,
    };
  }

  list(): Task[] {
    const rows = this.db.query<TaskRow, []>("SELECT * FROM tasks ORDER BY name").all();
    const steps = this.db.query<StepRow, []>("SELECT * FROM steps ORDER BY task_id, position").all();
    const byTask = new Map<number, StepRow[]>();
    for (const s of steps) {
      const list = byTask.get(s.task_id);
      if (list) list.push(s);
      else byTask.set(s.task_id, [s]);
    }
    const links = Map.groupBy(this.db.query<LinkRow, []>(`${LINKS} ORDER BY l.task_id, l.position`).all(), (l) => l.task_id);
    return rows.map((r) => this.hydrate(r, byTask.get(r.id) ?? [], links.get(r.id) ?? []));
  }

  get(id: number): Task | null {
    const row = this.byId.get(id);
    return row ? this.hydrate(row, this.stepsOf.all(id)) : null;
  }

  /** A task's handle in URLs: its name, or its numeric id. */
  find(handle: string): Task | null {
    // by name (every trigger and task page asks): the task, its steps and its links in one round trip
    const steps = this.db.readLater<StepRow>("SELECT s.* FROM steps s JOIN tasks t ON t.id = s.task_id WHERE t.name = ? ORDER BY s.position", handle);
    const links = this.db.readLater<LinkRow>(`${LINKS} JOIN tasks t ON t.id = l.task_id WHERE t.name = ? ORDER BY l.position`, handle);
    const row = this.byName.get(handle);
    if (row) return this.hydrate(row, steps(), links());
    const byId = /^\d+$/.test(handle) ? this.byId.get(Number(handle)) : null;
    return byId ? this.hydrate(byId, this.stepsOf.all(byId.id)) : null;
  }

  anchor(id: number): number | null {
    return this.byId.get(id)?.schedule_anchor ?? null;
  }

  setAnchor(id: number, at: number): void {
    this.db.query("UPDATE tasks SET schedule_anchor = ? WHERE id = ?").run(at, id);
  }

  private writeSteps(id: number, steps: StepDef[]): void {
    this.deleteSteps.run(id);
    steps.forEach((s, i) =>
      this.insertStep.run(id, i + 1, s.name, s.command, JSON.stringify(s.args), s.run_rule, s.timeout_s, s.retries, s.retry_delay_s),
    );
    steps.forEach((s, i) => s.run_as && this.setStepRunAs.run(s.run_as, id, i + 1));
  }

  /** The links by the upstreams' names; every upstream exists (the engine checked). */
  private writeLinks(id: number, after: ChainLink[]): void {
    this.deleteLinks.run(id);
    after.forEach((l, i) => this.insertLink.run(id, l.task, i + 1, l.when));
  }

  private setTimezone(id: number, timezone: string | null): void {
    this.db.query("UPDATE tasks SET timezone = ? WHERE id = ?").run(timezone, id);
  }

  private setRunsOn(id: number, runsOn: string | null): void {
    this.db.query("UPDATE tasks SET runs_on = ? WHERE id = ?").run(runsOn, id);
  }

  insert(def: TaskDef, now: number): Task {
    return this.db.transaction(() => {
      const { id } = this.insertTask.get(
        def.name, def.description, def.cron, def.enabled ? 1 : 0, def.pool, def.catchup ? 1 : 0,
        def.start_deadline_s, JSON.stringify(def.alert_emails), now, now, now,
      )!;
      this.setRunAs.run(def.run_as ?? null, id);
      this.writeSteps(id, def.steps);
      this.setParams.run(JSON.stringify(def.params), id);
      this.writeLinks(id, def.after);
      this.setTimezone(id, def.timezone);
      this.setRunsOn(id, def.runs_on ?? null);
      return this.get(id)!;
    });
  }

  /** Replaces the whole definition; the schedule counts from now when it changed. */
  replace(id: number, def: TaskDef, now: number): Task {
    return this.db.transaction(() => {
      this.db
        .query(
          `UPDATE tasks SET name = ?, description = ?, cron = ?, enabled = ?, pool = ?, catchup = ?,
           start_deadline_s = ?, alert_emails = ?, schedule_anchor = ?, updated_at = ? WHERE id = ?`,
        )
        .run(def.name, def.description, def.cron, def.enabled ? 1 : 0, def.pool, def.catchup ? 1 : 0,
          def.start_deadline_s, JSON.stringify(def.alert_emails), now, now, id);
      this.setRunAs.run(def.run_as ?? null, id);
      this.writeSteps(id, def.steps);
      this.setParams.run(JSON.stringify(def.params), id);
      this.writeLinks(id, def.after);
      this.setTimezone(id, def.timezone);
      this.setRunsOn(id, def.runs_on ?? null);
      return this.get(id)!;
    });
  }

  patch(id: number, patch: TaskPatch, now: number): Task {
    const current = this.get(id)!;
    return this.replace(id, { ...current, ...patch }, now);
  }

  delete(id: number): void {
    this.db.query("DELETE FROM tasks WHERE id = ?").run(id);
  }

  followers(id: number): { id: number; name: string; when: ChainWhen }[] {
    return this.followersOf.all(id).map((f) => ({ id: f.id, name: f.name, when: f.upon }));
  }

  usesPool(pool: string): boolean {
    return this.db.query("SELECT 1 FROM tasks WHERE pool = ? LIMIT 1").get(pool) !== null;
  }
}
