// History kept LIGHTFLOW_LOG_RETENTION_DAYS: once a day, on the scheduler's own
// timer (no polling), runs that ended before the cutoff go with their logs.
import { StoreUnavailable, type RunStore } from "./stores.ts";
import type { Clock } from "./clock.ts";
import type { LogStore } from "./logstore.ts";

const DAY = 86_400_000;

export interface RetentionDeps {
  clock: Clock;
  runs: Pick<RunStore, "deleteEndedBefore">;
  logs: Pick<LogStore, "removeRun">;
  days: number;
  /** the scheduler's one timer: runs `fn` at `at` */
  job: (name: string, at: number, fn: () => void) => void;
  log: (msg: string) => void;
}

export class Retention {
  constructor(private readonly d: RetentionDeps) {}

  /** The first sweep at `at`, then one a day. */
  start(at: number): void {
    this.d.job("retention", at, () => {
      try {
        this.sweep();
      } catch (e) {
        if (!(e instanceof StoreUnavailable)) throw e;
        this.d.log("retention: the database is unavailable; the next sweep deletes what this one could not");
      }
      this.start(this.d.clock.now() + DAY);
    });
  }

  /** Deletes the runs (and their logs) that ended more than the retention ago; how many. */
  sweep(): number {
    const cutoff = this.d.clock.now() - this.d.days * DAY;
    let total = 0;
    for (;;) {
      const gone = this.d.runs.deleteEndedBefore(cutoff);
      for (const r of gone) this.d.logs.removeRun(r.task, r.id);
      total += gone.length;
      if (gone.length === 0) break;
    }
    if (total) this.d.log(`retention: deleted ${total} runs older than ${this.d.days} days`);
    return total;
  }
}
