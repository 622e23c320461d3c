// Python packages on a cluster (README, "Several machines"): an install or
// uninstall asked of one node runs on every node, as one job per node.
// - The node asked names a job for each live node, writes them to the
//   database (queued), runs its own, and tells the others, which run theirs.
// - Each node writes its jobs' status and output to the database as they go,
//   and tells the others each piece (`package_job`), so any node lists every
//   node's jobs and follows any of them live: what the database held when the
//   follower looked, then the pieces after it (by offset; a gap is read again).
// - A node that missed its message (it stopped, or its listener reconnected)
//   runs the queued jobs it was given when it starts or hears again; at its
//   start it records those a crash of it interrupted as failed. A node that
//   was not live when asked gets no job.
// A node that dies while a job of it is followed elsewhere leaves the follower
// waiting until it goes (the job's row stays `running` until that node starts again).
import type { ClusterMessage } from "../cluster/cluster.ts";
import { StoreUnavailable } from "../engine/stores.ts";
import { newJobId, type JobAction, type JobFollower, type PackageJob } from "./jobs.ts";
import type { PipOptions } from "./pip.ts";
import { Packages, type PackageService } from "./service.ts";
import type { JobRow, PackageJobStore } from "./store.ts";

const KEEP = 20;
/** a piece of output per message: JSON-escaped it still fits a NOTIFY */
const PIECE = 1000;
const log = (msg: string) => console.log(`lightflow: ${msg}`);

interface Remote {
  /** how much of the job's output the follower has */
  known: number;
  f: JobFollower;
}

export interface SharedPackagesOptions {
  pip: PipOptions;
  node: string;
  store: PackageJobStore;
  /** the live nodes' names (this one among them) */
  members: () => string[];
  publish: (m: ClusterMessage) => void;
}

const asJob = (r: Omit<JobRow, "output"> & { output?: string }): PackageJob => ({
  id: r.id,
  node: r.node,
  action: r.action,
  requirement: r.requirement,
  status: r.status,
  output: r.output ?? "",
});

export class SharedPackages implements PackageService {
  private readonly local: Packages;
  private readonly remote = new Map<string, Set<Remote>>();

  constructor(private readonly o: SharedPackagesOptions) {
    const saved = (what: string, fn: () => void) => {
      try {
        fn();
      } catch (e) {
        // the job goes on; its row is behind until its next change
        if (!(e instanceof StoreUnavailable)) throw e;
        log(`packages: could not record ${what} in the database (${e.message})`);
      }
    };
    this.local = new Packages({
      ...o.pip,
      node: o.node,
      observer: {
        started: (job) => {
          saved(`the start of job ${job.id}`, () => o.store.status(job.id, "running"));
          o.publish({ kind: "package_job", id: job.id, status: "running" });
        },
        output: (job, offset, text) => {
          const clean = text.replaceAll("\0", "\uFFFD"); // PostgreSQL's text holds no NUL; same length, so offsets hold
          saved(`job ${job.id}'s output`, () => o.store.append(job.id, clean));
          for (let i = 0; i < clean.length; i += PIECE) o.publish({ kind: "package_job", id: job.id, offset: offset + i, data: clean.slice(i, i + PIECE) });
        },
        ended: (job) => {
          saved(`the end of job ${job.id}`, () => {
            o.store.status(job.id, job.status);
            o.store.prune(o.node, KEEP);
          });
          o.publish({ kind: "package_job", id: job.id, status: job.status as "success" | "failed" });
        },
      },
    });
  }

  list: Packages["list"] = () => this.local.list();

  install = (requirement: string) => this.ask("install", requirement);
  uninstall = (name: string) => this.ask("uninstall", name);

  /** One job per live node; this node's is the answer. */
  private ask(action: JobAction, requirement: string): PackageJob | "queue_full" {
    if (this.local.full()) return "queue_full";
    const nodes = new Set([this.o.node, ...this.o.members()]);
    const jobs = [...nodes].map((node) => ({ node, id: newJobId() }));
    this.o.store.insert(jobs, action, requirement, Date.now()); // before the job starts: its start updates the row
    const mine = jobs.find((j) => j.node === this.o.node)!;
    const others = Object.fromEntries(jobs.filter((j) => j !== mine).map((j) => [j.node, j.id]));
    if (Object.keys(others).length) this.o.publish({ kind: "packages", action, requirement, jobs: others });
    return this.local.add(action, requirement, mine.id);
  }

  job(id: string): PackageJob | null {
    const own = this.local.job(id);
    if (own) return own;
    const row = this.o.store.get(id);
    return row ? asJob(row) : null;
  }

  /** Every node's jobs, newest first. */
  recentJobs(): PackageJob[] {
    return this.o.store.recent(KEEP * Math.max(1, this.o.members().length)).map(asJob);
  }

  follow(id: string, f: JobFollower): (() => void) | null {
    if (this.local.job(id)) return this.local.follow(id, f);
    const row = this.o.store.get(id);
    if (!row) return null;
    if (row.output) f.output(row.output);
    if (row.status === "success" || row.status === "failed") {
      f.end(row.status);
      return () => {};
    }
    // all synchronous: no message is heard between the read and the subscription
    const r: Remote = { known: row.output.length, f };
    const set = this.remote.get(id) ?? new Set();
    set.add(r);
    this.remote.set(id, set);
    return () => {
      set.delete(r);
      if (!set.size) this.remote.delete(id);
    };
  }

  // ---- the other nodes ---------------------------------------------------------------------

  /** At the start: those a crash of this node interrupted, and the jobs it was given while it did not listen. */
  start(): void {
    this.o.store.interrupted(this.o.node);
    this.missed();
  }

  /** The jobs given to this node that it has not started (messages may have been missed). */
  missed(): void {
    for (const r of this.o.store.queuedOf(this.o.node)) this.run(r.action, r.requirement, r.id);
  }

  heard(m: ClusterMessage): void {
    if (m.kind === "packages") {
      const id = m.jobs[this.o.node];
      if (id) this.run(m.action, m.requirement, id);
    } else if (m.kind === "package_job") this.progress(m);
  }

  private run(action: JobAction, requirement: string, id: string): void {
    if (this.local.add(action, requirement, id) === "queue_full") {
      this.o.store.append(id, "[lightflow] too many package jobs were waiting on this node; not run\n");
      this.o.store.status(id, "failed");
    }
  }

  private progress(m: Extract<ClusterMessage, { kind: "package_job" }>): void {
    const set = this.remote.get(m.id);
    if (!set) return;
    for (const r of set) {
      if (m.data !== undefined && m.offset !== undefined) {
        if (m.offset > r.known) this.readMissing(m.id, r); // a piece was lost: the database has it
        else if (m.offset + m.data.length > r.known) {
          r.f.output(m.data.slice(r.known - m.offset));
          r.known = m.offset + m.data.length;
        }
      }
    }
    if (m.status === "success" || m.status === "failed") {
      for (const r of set) {
        this.readMissing(m.id, r);
        r.f.end(m.status);
      }
      this.remote.delete(m.id);
    }
  }

  private readMissing(id: string, r: Remote): void {
    const output = this.o.store.get(id)?.output ?? "";
    if (output.length > r.known) r.f.output(output.slice(r.known));
    r.known = Math.max(r.known, output.length);
  }
}
