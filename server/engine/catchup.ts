// Fire times missed while the server was down. A task remembers the last fire
// time it was checked against (its anchor); at start-up the fires between the
// anchor and now are the missed ones. A catch-up task gets ONE run for them (like
// systemd's Persistent=true); a task with a start deadline raises "did not start".
import type { TaskStore } from "./stores.ts";
import { nextFire, parseCron, type CronSpec } from "./cron.ts";
import type { Deadlines } from "./deadlines.ts";
import type { Run, Task } from "./types.ts";
import { zoneOf } from "./zones.ts";

/** Enough for a minutely schedule missed for two months: the newest missed fire is all that counts. */
const MAX_MISSED = 100_000;

/** The newest fire time after `anchor` and at or before `now`, or null when none was missed. */
export function lastMissedFire(spec: CronSpec, timezone: string, anchor: number, now: number): number | null {
  let missed = nextFire(spec, timezone, anchor);
  if (missed === null || missed > now) return null;
  for (let i = 0; i < MAX_MISSED; i++) {
    const later = nextFire(spec, timezone, missed);
    if (later === null || later > now) break;
    missed = later;
  }
  return missed;
}

export interface CatchUpDeps {
  tasks: Pick<TaskStore, "anchor" | "setAnchor">;
  /** the server's zone, for tasks without their own */
  timezone: string;
  deadlines: Deadlines;
  /** queues the one catch-up run; null when that fire time has its run already */
  enqueue: (t: Task, scheduledFor: number) => Run | null;
  log: (msg: string) => void;
}

export function catchUp(t: Task, now: number, d: CatchUpDeps): void {
  const anchor = d.tasks.anchor(t.id) ?? t.created_at;
  d.tasks.setAnchor(t.id, now);
  if (!t.cron || !t.enabled || (!t.catchup && t.start_deadline_s === null)) return;
  const missed = lastMissedFire(parseCron(t.cron), zoneOf(t, d.timezone), anchor, now);
  if (missed === null) return;
  if (!t.catchup) {
    if (t.start_deadline_s !== null) d.deadlines.late(t.name, missed, null, "server_down");
    return;
  }
  d.log(`task ${t.name} missed its schedule while the server was down; queueing one catch-up run`);
  const run = d.enqueue(t, missed);
  if (run) d.deadlines.watch(t, run, "server_down");
}
