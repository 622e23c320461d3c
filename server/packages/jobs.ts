// Package jobs: one at a time, the others wait in order (FIFO). Each keeps its
// output in memory; followers get what was written so far, then every new
// piece through a callback as it is written, then the end. The last `keep`
// finished jobs are kept for late readers; older ones are forgotten.
import { randomBytes } from "node:crypto";

export type JobStatus = "queued" | "running" | "success" | "failed";
export type JobAction = "install" | "uninstall";
export type EndStatus = "success" | "failed";

export interface PackageJob {
  readonly id: string;
  /** the node that runs it (on a cluster every node runs its own: shared.ts) */
  readonly node: string;
  readonly action: JobAction;
  /** the requirement to install, or the name to uninstall */
  readonly requirement: string;
  status: JobStatus;
  output: string;
}

export interface JobFollower {
  output(data: string): void;
  end(status: EndStatus): void;
}

/** Does the job's work, writing its output; resolves true on success. */
export type JobWork = (job: PackageJob, write: (text: string) => void) => Promise<boolean>;

export interface JobQueueOptions {
  /** finished jobs kept */
  keep?: number;
  /** jobs waiting at most; more are refused */
  maxWaiting?: number;
  /** output kept per job; past it one marker line says so */
  maxOutput?: number;
  /** the node's name, which its jobs carry */
  node?: string;
  /** told of every change of a job (a cluster keeps them in the database: shared.ts) */
  observer?: JobObserver;
}

export interface JobObserver {
  started(job: PackageJob): void;
  /** `text` was appended at `offset` of the job's output */
  output(job: PackageJob, offset: number, text: string): void;
  ended(job: PackageJob): void;
}

interface Entry {
  job: PackageJob;
  followers: Set<JobFollower>;
  capped: boolean;
}

export const newJobId = () => randomBytes(8).toString("hex");

export class JobQueue {
  private readonly entries = new Map<string, Entry>(); // in creation order
  private readonly waiting: Entry[] = [];
  private busy = false;
  private readonly keep: number;
  private readonly maxWaiting: number;
  private readonly maxOutput: number;
  private readonly node: string;
  private readonly observer: JobObserver | undefined;

  constructor(
    private readonly work: JobWork,
    { keep = 20, maxWaiting = 50, maxOutput = 1024 * 1024, node = "", observer }: JobQueueOptions = {},
  ) {
    this.keep = keep;
    this.maxWaiting = maxWaiting;
    this.maxOutput = maxOutput;
    this.node = node;
    this.observer = observer;
  }

  /** no room for another waiting job */
  full(): boolean {
    return this.waiting.length >= this.maxWaiting;
  }

  /** `id`: given by the node that asked (a cluster names every node's job at once), else a new one */
  add(action: JobAction, requirement: string, id: string = newJobId()): PackageJob | "queue_full" {
    if (this.waiting.length >= this.maxWaiting) return "queue_full";
    const job: PackageJob = { id, node: this.node, action, requirement, status: "queued", output: "" };
    const entry: Entry = { job, followers: new Set(), capped: false };
    this.entries.set(job.id, entry);
    this.waiting.push(entry);
    this.next();
    return job;
  }

  get(id: string): PackageJob | null {
    return this.entries.get(id)?.job ?? null;
  }

  /** Newest first. */
  list(): PackageJob[] {
    return [...this.entries.values()].map((e) => e.job).reverse();
  }

  /**
   * Sends the output so far and, once the job ends, its status; every piece in
   * between as it is written. Returns a function that stops following, or null
   * for an unknown job.
   */
  follow(id: string, f: JobFollower): (() => void) | null {
    const entry = this.entries.get(id);
    if (!entry) return null;
    // all synchronous: nothing can be written between the catch-up and the subscription
    if (entry.job.output) f.output(entry.job.output);
    const { status } = entry.job;
    if (status === "success" || status === "failed") {
      f.end(status);
      return () => {};
    }
    entry.followers.add(f);
    return () => entry.followers.delete(f);
  }

  private write(entry: Entry, text: string): void {
    if (entry.capped || !text) return;
    const room = this.maxOutput - entry.job.output.length;
    if (text.length > room) {
      entry.capped = true;
      text = `${text.slice(0, Math.max(0, room))}\n[lightflow] output over ${this.maxOutput} characters; the rest is not kept\n`;
    }
    const offset = entry.job.output.length;
    entry.job.output += text;
    this.observer?.output(entry.job, offset, text);
    for (const f of entry.followers) f.output(text);
  }

  private next(): void {
    if (this.busy) return;
    const entry = this.waiting.shift();
    if (!entry) return;
    this.busy = true;
    entry.job.status = "running";
    this.observer?.started(entry.job);
    void this.run(entry);
  }

  private async run(entry: Entry): Promise<void> {
    let ok = false;
    try {
      ok = await this.work(entry.job, (text) => this.write(entry, text));
    } catch (e) {
      this.write(entry, `\n[lightflow] the job failed: ${(e as Error).message}\n`);
    }
    const status: EndStatus = ok ? "success" : "failed";
    entry.job.status = status;
    this.observer?.ended(entry.job);
    for (const f of entry.followers) f.end(status);
    entry.followers.clear();
    this.forgetOld();
    this.busy = false;
    this.next();
  }

  private forgetOld(): void {
    const finished = [...this.entries.values()].filter((e) => e.job.status === "success" || e.job.status === "failed");
    for (const e of finished.slice(0, Math.max(0, finished.length - this.keep))) this.entries.delete(e.job.id);
  }
}
