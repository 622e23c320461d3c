// "Did not start": a scheduled run must start by its fire time plus its task's
// start deadline, or the event `late` is raised (alerts mail it). One timer per
// queued scheduled run, dropped when the run starts or is cancelled.
import { StoreUnavailable, type RunStore } from "./stores.ts";
import type { Clock, Timer } from "./clock.ts";
import type { EventBus } from "./events.ts";
import type { Run, Task } from "./types.ts";

export type LateReason = "not_started" | "server_down";

export interface DeadlineDeps {
  clock: Clock;
  bus: EventBus;
  runs: Pick<RunStore, "get">;
  log: (msg: string) => void;
}

export class Deadlines {
  private readonly timers = new Map<number, Timer>();

  constructor(private readonly d: DeadlineDeps) {}

  /** Raises `late` for a fire time of `task` (its run, if one was queued). */
  late(task: string, scheduledFor: number, runId: number | null, reason: LateReason): void {
    this.d.log(`task ${task}: the run for ${new Date(scheduledFor).toISOString()} did not start in time (${reason === "server_down" ? "the server was down" : "it is still waiting"})`);
    this.d.bus.emit({ type: "late", task, scheduled_for: scheduledFor, run_id: runId, reason });
  }

  /** Watches a queued scheduled run; `ifPast` is the reason when its deadline has passed already. */
  watch(task: Task, run: Run, ifPast: LateReason): void {
    if (task.start_deadline_s === null || run.scheduled_for === null) return;
    const due = run.scheduled_for + task.start_deadline_s * 1000;
    if (due <= this.d.clock.now()) return this.late(task.name, run.scheduled_for, run.id, ifPast);
    this.timers.set(
      run.id,
      this.d.clock.at(due, () => {
        this.timers.delete(run.id);
        let status: string | undefined;
        try {
          status = this.d.runs.get(run.id)?.status;
        } catch (e) {
          if (!(e instanceof StoreUnavailable)) throw e;
          status = "queued"; // no run starts while the store is unavailable (engine/outage.ts)
        }
        if (status === "queued") this.late(task.name, run.scheduled_for!, run.id, "not_started");
      }),
    );
  }

  /** The run started or was cancelled. */
  clear(runId: number): void {
    this.timers.get(runId)?.cancel();
    this.timers.delete(runId);
  }

  clearAll(): void {
    for (const id of [...this.timers.keys()]) this.clear(id);
  }
}
