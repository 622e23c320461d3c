// The package jobs of a cluster (packages/store.ts).
import type { SqlDb } from "./sql.ts";
import type { JobAction, JobStatus } from "../packages/jobs.ts";
import type { JobRow, PackageJobStore } from "../packages/store.ts";

const COLUMNS = "id, node, action, requirement, status, created_at";
const num = <T extends { created_at: number }>(r: T): T => ({ ...r, created_at: Number(r.created_at) });

export class SqlPackageJobStore implements PackageJobStore {
  constructor(private readonly db: SqlDb) {}

  insert(jobs: { id: string; node: string }[], action: JobAction, requirement: string, now: number): void {
    this.db.transaction(() => {
      for (const j of jobs) {
        this.db
          .query("INSERT INTO package_jobs (id, node, action, requirement, status, output, created_at) VALUES (?, ?, ?, ?, 'queued', '', ?) ON CONFLICT (id) DO NOTHING")
          .run(j.id, j.node, action, requirement, now);
      }
    });
  }

  status(id: string, status: JobStatus): void {
    this.db.query("UPDATE package_jobs SET status = ? WHERE id = ?").run(status, id);
  }

  append(id: string, text: string): void {
    this.db.query("UPDATE package_jobs SET output = output || ? WHERE id = ?").run(text, id);
  }

  get(id: string): JobRow | null {
    const r = this.db.query<JobRow, [string]>(`SELECT ${COLUMNS}, output FROM package_jobs WHERE id = ?`).get(id);
    return r ? num(r) : null;
  }

  recent(limit: number): Omit<JobRow, "output">[] {
    return this.db.query<JobRow, [number]>(`SELECT ${COLUMNS} FROM package_jobs ORDER BY created_at DESC, node LIMIT ?`).all(limit).map(num);
  }

  queuedOf(node: string): Omit<JobRow, "output">[] {
    return this.db.query<JobRow, [string]>(`SELECT ${COLUMNS} FROM package_jobs WHERE node = ? AND status = 'queued' ORDER BY created_at, id`).all(node).map(num);
  }

  interrupted(node: string): void {
    this.db
      .query("UPDATE package_jobs SET status = 'failed', output = output || ? WHERE node = ? AND status = 'running'")
      .run("\n[lightflow] the node stopped before the job ended\n", node);
  }

  prune(node: string, keep: number): void {
    this.db
      .query(
        `DELETE FROM package_jobs WHERE node = ? AND status IN ('success', 'failed') AND id NOT IN
           (SELECT id FROM package_jobs WHERE node = ? AND status IN ('success', 'failed') ORDER BY created_at DESC LIMIT ?)`,
      )
      .run(node, node, keep);
  }
}
