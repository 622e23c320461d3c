// Python packages for the steps: the venv's pip behind a one-at-a-time job
// queue. No HTTP here; requirements arrive already checked (requirement.ts).
import { JobQueue, type JobAction, type JobFollower, type JobObserver, type PackageJob } from "./jobs.ts";
import { Pip, type InstalledPackage, type PipOptions } from "./pip.ts";

/** What the routes use: this node's venv, or on a cluster every node's (shared.ts). */
export type PackageService = Pick<Packages, "list" | "install" | "uninstall" | "job" | "recentJobs" | "follow">;

export class Packages {
  private readonly pip: Pip;
  private readonly jobs: JobQueue;

  constructor(o: PipOptions & { node?: string; observer?: JobObserver }) {
    this.pip = new Pip(o);
    this.jobs = new JobQueue(this.pip.work, { ...(o.node ? { node: o.node } : {}), ...(o.observer ? { observer: o.observer } : {}) });
  }

  full(): boolean {
    return this.jobs.full();
  }

  /** A job another node asked for, under the id it gave. */
  add(action: JobAction, requirement: string, id: string): PackageJob | "queue_full" {
    return this.jobs.get(id) ?? this.jobs.add(action, requirement, id);
  }

  list(): Promise<InstalledPackage[] | { failed: string }> {
    return this.pip.list();
  }

  install(requirement: string): PackageJob | "queue_full" {
    return this.jobs.add("install", requirement);
  }

  uninstall(name: string): PackageJob | "queue_full" {
    return this.jobs.add("uninstall", name);
  }

  job(id: string): PackageJob | null {
    return this.jobs.get(id);
  }

  recentJobs(): PackageJob[] {
    return this.jobs.list();
  }

  follow(id: string, f: JobFollower): (() => void) | null {
    return this.jobs.follow(id, f);
  }
}
