// CRON schedules to fire times. Holds each enabled task's next fire time in
// memory and one timer for the nearest; any change re-arms that one timer.
// With nothing due, nothing runs.
import type { Clock, Timer } from "./clock.ts";
import { nextFire, parseCron, type CronSpec } from "./cron.ts";

export interface SchedulerDeps {
  clock: Clock;
  fire(taskId: number, fireAt: number): void;
}

interface Entry {
  cron: string;
  spec: CronSpec;
  /** the zone the task's CRON is read in */
  zone: string;
  next: number;
}

export class Scheduler {
  private readonly entries = new Map<number, Entry>();
  /** other timed jobs (retention) share the one timer */
  private readonly jobs = new Map<string, { at: number; fn: () => void }>();
  private timer: Timer | null = null;
  private armedAt: number | null = null;
  private stopped = false;
  /** held: the schedules are known (next_fire_at on every node) but nothing fires here; another node leads */
  private held: boolean;

  constructor(private readonly d: SchedulerDeps, o: { held?: boolean } = {}) {
    this.held = o.held ?? false;
  }

  /** Sets or clears a task's schedule, read in `zone`; the next fire time counts from now. */
  set(taskId: number, cron: string | null, enabled: boolean, zone: string): void {
    // unchanged (another node's edit of another task reloads them all): a fire time due but not yet fired stays
    const had = this.entries.get(taskId);
    if (had && enabled && had.cron === cron && had.zone === zone) return;
    this.entries.delete(taskId);
    if (cron && enabled) {
      const spec = parseCron(cron);
      const next = nextFire(spec, zone, this.d.clock.now());
      if (next !== null) this.entries.set(taskId, { cron, spec, zone, next });
    }
    this.arm();
  }

  remove(taskId: number): void {
    this.entries.delete(taskId);
    this.arm();
  }

  nextFireAt(taskId: number): number | null {
    const e = this.entries.get(taskId);
    if (!e) return null;
    // held, nothing moves the entries on: the next fire time from now is worked out when asked
    if (this.held && e.next <= this.d.clock.now()) e.next = nextFire(e.spec, e.zone, this.d.clock.now()) ?? e.next;
    return e.next;
  }

  /** Runs `fn` at `at` (replacing a job of the same name). */
  job(name: string, at: number, fn: () => void): void {
    this.jobs.set(name, { at, fn });
    this.arm();
  }

  /** Fires nothing until release(); the schedules stay known. Timed jobs are dropped (the leader has its own). */
  hold(): void {
    this.held = true;
    this.jobs.clear();
    this.timer?.cancel();
    this.timer = null;
    this.armedAt = null;
  }

  /** Fires again, from now (this node leads). */
  release(): void {
    if (!this.held) return;
    this.held = false;
    const now = this.d.clock.now();
    for (const [taskId, e] of this.entries) {
      const next = e.next > now ? e.next : nextFire(e.spec, e.zone, now);
      if (next === null) this.entries.delete(taskId);
      else e.next = next;
    }
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
  }

  private arm(): void {
    if (this.stopped || this.held) return;
    let nearest = Infinity;
    for (const e of this.entries.values()) nearest = Math.min(nearest, e.next);
    for (const j of this.jobs.values()) nearest = Math.min(nearest, j.at);
    if (nearest === this.armedAt) return;
    this.timer?.cancel();
    this.timer = null;
    this.armedAt = null;
    if (nearest === Infinity) return;
    this.armedAt = nearest;
    this.timer = this.d.clock.at(nearest, () => this.tick());
  }

  private tick(): void {
    this.timer = null;
    this.armedAt = null;
    const now = this.d.clock.now();
    for (const [taskId, e] of this.entries) {
      if (e.next > now) continue;
      const fireAt = e.next;
      // after a long stall (suspend), missed fires are skipped, not replayed
      const next = nextFire(e.spec, e.zone, Math.max(fireAt, now));
      if (next === null) this.entries.delete(taskId);
      else e.next = next;
      this.d.fire(taskId, fireAt);
    }
    for (const [name, j] of this.jobs) {
      if (j.at > now) continue;
      this.jobs.delete(name);
      j.fn();
    }
    this.arm();
  }
}
