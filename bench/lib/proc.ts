// What Linux says about a process, read from /proc: CPU time and wake-ups per
// thread, and resident memory. Nothing here signals or touches the process.
import { readdirSync, readFileSync } from "node:fs";

interface ThreadCounts {
  cpuNs: number;
  wakeups: number;
}

function threadCounts(pid: number, tid: string): ThreadCounts | null {
  try {
    // schedstat: time on CPU (ns), time waiting for a CPU (ns), timeslices
    const cpuNs = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "latin1").split(" ")[0]);
    const status = readFileSync(`/proc/${pid}/task/${tid}/status`, "latin1");
    const vol = Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    const invol = Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    return { cpuNs, wakeups: vol + invol };
  } catch {
    return null; // the thread ended between readdir and read
  }
}

function threads(pid: number): Map<string, ThreadCounts> {
  const out = new Map<string, ThreadCounts>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    const c = threadCounts(pid, tid);
    if (c) out.set(tid, c);
  }
  return out;
}

export function rssKiB(pid: number): number {
  try {
    return Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "latin1"))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

export interface Usage {
  /** CPU time over the window, summed over threads, in ns */
  cpuNs: number;
  /** voluntary + involuntary context switches over the window, summed over threads */
  wakeups: number;
  /** the window in ms */
  ms: number;
  /** threads that ended inside the window: their time after their last sample is lost */
  threadsGone: number;
  threads: number;
}

/**
 * CPU and wake-ups of one process over a window, from per-thread counters
 * (a process-wide schedstat does not exist). Threads are sampled every
 * `everyMs` so one that starts inside the window counts from zero and one
 * that ends keeps what it had at its last sample.
 */
export class UsageMeter {
  private readonly first = new Map<string, ThreadCounts>();
  private readonly last = new Map<string, ThreadCounts>();
  private readonly gone = new Set<string>();
  private readonly startedAt = performance.now();
  private endedAt: number | null = null;
  private timer: ReturnType<typeof setInterval> | null;

  constructor(
    readonly pid: number,
    everyMs = 1000,
  ) {
    for (const [tid, c] of threads(pid)) {
      this.first.set(tid, c);
      this.last.set(tid, c);
    }
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  private sample(): void {
    const now = threads(this.pid);
    for (const tid of this.last.keys()) if (!now.has(tid)) this.gone.add(tid);
    for (const [tid, c] of now) {
      if (!this.first.has(tid)) this.first.set(tid, { cpuNs: 0, wakeups: 0 }); // born inside the window
      this.last.set(tid, c);
    }
  }

  stop(): Usage {
    if (this.timer) {
      this.sample();
      clearInterval(this.timer);
      this.timer = null;
      this.endedAt = performance.now();
    }
    let cpuNs = 0;
    let wakeups = 0;
    for (const [tid, l] of this.last) {
      const f = this.first.get(tid)!;
      cpuNs += l.cpuNs - f.cpuNs;
      wakeups += l.wakeups - f.wakeups;
    }
    return { cpuNs, wakeups, ms: this.endedAt! - this.startedAt, threadsGone: this.gone.size, threads: this.last.size };
  }
}

/** Sums for the whole machine: idle and total jiffies from /proc/stat (for the load note). */
export function loadAverage(): string {
  try {
    return readFileSync("/proc/loadavg", "latin1").split(" ").slice(0, 3).join(" ");
  } catch {
    return "?";
  }
}
