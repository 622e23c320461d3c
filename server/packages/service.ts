// Python packages for the steps: the venv's pip behind a one-at-a-time job
// queue. No HTTP here; requirements arrive already checked (requirement.ts).
import { JobQueue, type JobFollower, type PackageJob } from "./jobs.ts";
import { Pip, type InstalledPackage, type PipOptions } from "./pip.ts";

export class Packages {
  private readonly pip: Pip;
  private readonly jobs: JobQueue;

  constructor(o: PipOptions) {
    this.pip = new Pip(o);
    this.jobs = new JobQueue(this.pip.work);
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
