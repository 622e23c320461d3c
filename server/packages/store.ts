// A cluster's package jobs in the database (shared.ts): one row per node's job,
// its output appended as pip writes it. db/packages.ts implements it.
import type { JobAction, JobStatus } from "./jobs.ts";

export interface JobRow {
  id: string;
  node: string;
  action: JobAction;
  requirement: string;
  status: JobStatus;
  output: string;
  created_at: number;
}

export interface PackageJobStore {
  /** the jobs of one request, one per node, queued */
  insert(jobs: { id: string; node: string }[], action: JobAction, requirement: string, now: number): void;
  status(id: string, status: JobStatus): void;
  append(id: string, text: string): void;
  get(id: string): JobRow | null;
  /** every node's jobs, newest first, without their output */
  recent(limit: number): Omit<JobRow, "output">[];
  /** the jobs given to `node` that it has not started, oldest first */
  queuedOf(node: string): Omit<JobRow, "output">[];
  /** `node`'s jobs left running by a crash of it: failed, with a line saying why */
  interrupted(node: string): void;
  /** forgets `node`'s finished jobs but the newest `keep` */
  prune(node: string, keep: number): void;
}
