// Prometheus metrics: counters and histograms are kept from the bus since the
// server started (Prometheus expects counters to reset on restart); gauges are
// read from live state when scraped. Rendered in the text exposition format.
import type { RunStore } from "./stores.ts";
import type { EventBus } from "./events.ts";
import type { Run } from "./types.ts";

const BUCKETS = [1, 5, 15, 60, 300, 900, 3600, 14400];

interface Histogram {
  counts: number[]; // one per bucket, cumulative at render time
  sum: number;
  count: number;
}

export interface LiveCounts {
  /** pool name ("" for runs without a pool) → running and queued runs */
  pools: Map<string, { running: number; queued: number }>;
  runningSteps: number;
}

const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const labels = (o: Record<string, string>) => `{${Object.entries(o).map(([k, v]) => `${k}="${esc(v)}"`).join(",")}}`;

export class Metrics {
  private readonly runs = new Map<string, number>(); // "task\0status" → count
  private readonly durations = new Map<string, Histogram>();
  private lastSuccess: Map<string, number> | null = null; // loaded on the first scrape

  constructor(
    bus: EventBus,
    private readonly store: Pick<RunStore, "lastSuccesses">,
  ) {
    bus.on((e, remote) => {
      if (remote) return; // each node counts the runs it ran
      if (e.type === "run" && e.run.ended_at !== null && ["success", "failed", "cancelled"].includes(e.run.status)) this.ended(e.run);
      if (e.type === "task_deleted") this.lastSuccess?.delete(e.name);
    });
  }

  private ended(run: Run): void {
    const key = `${run.task}\0${run.status}`;
    this.runs.set(key, (this.runs.get(key) ?? 0) + 1);
    if (run.started_at !== null) {
      const seconds = (run.ended_at! - run.started_at) / 1000;
      const h = this.durations.get(run.task) ?? { counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
      BUCKETS.forEach((b, i) => seconds <= b && h.counts[i]!++);
      h.sum += seconds;
      h.count++;
      this.durations.set(run.task, h);
    }
    if (run.status === "success" && this.lastSuccess) this.lastSuccess.set(run.task, run.ended_at!);
  }

  private successTimes(): Map<string, number> {
    this.lastSuccess ??= this.store.lastSuccesses();
    return this.lastSuccess;
  }

  render(live: LiveCounts, build: { version: string; commit: string }): string {
    const out: string[] = [];
    const head = (name: string, type: string, help: string) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    head("lightflow_build_info", "gauge", "Version and commit of this server.");
    out.push(`lightflow_build_info${labels(build)} 1`);
    head("lightflow_runs_total", "counter", "Runs that ended since the server started, by task and status.");
    for (const [key, n] of [...this.runs].sort()) {
      const [task, status] = key.split("\0") as [string, string];
      out.push(`lightflow_runs_total${labels({ task, status })} ${n}`);
    }
    head("lightflow_run_duration_seconds", "histogram", "Run durations (first step start to end) since the server started.");
    for (const [task, h] of [...this.durations].sort(([a], [b]) => a.localeCompare(b))) {
      BUCKETS.forEach((b, i) => out.push(`lightflow_run_duration_seconds_bucket${labels({ task, le: String(b) })} ${h.counts[i]}`));
      out.push(`lightflow_run_duration_seconds_bucket${labels({ task, le: "+Inf" })} ${h.count}`);
      out.push(`lightflow_run_duration_seconds_sum${labels({ task })} ${h.sum}`);
      out.push(`lightflow_run_duration_seconds_count${labels({ task })} ${h.count}`);
    }
    head("lightflow_queued_runs", "gauge", 'Runs waiting to start, by pool ("" for none).');
    for (const [pool, c] of [...live.pools].sort()) out.push(`lightflow_queued_runs${labels({ pool })} ${c.queued}`);
    head("lightflow_running_runs", "gauge", 'Runs executing, by pool ("" for none).');
    for (const [pool, c] of [...live.pools].sort()) out.push(`lightflow_running_runs${labels({ pool })} ${c.running}`);
    head("lightflow_running_steps", "gauge", "Steps executing now.");
    out.push(`lightflow_running_steps ${live.runningSteps}`);
    head("lightflow_last_success_timestamp_seconds", "gauge", "When each task last ended with success (Unix time).");
    for (const [task, at] of [...this.successTimes()].sort()) out.push(`lightflow_last_success_timestamp_seconds${labels({ task })} ${at / 1000}`);
    return out.join("\n") + "\n";
  }
}
