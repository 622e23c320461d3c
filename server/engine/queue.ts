// Which queued run may start now. Runs start in FIFO order of queueing as soon
// as the global cap, their pool's slots and "a task never overlaps itself"
// allow; the check runs on the event that changed something (a run queued, a
// run ended, a pool resized), never on a timer.

export interface QueuedRun {
  runId: number;
  taskId: number;
}

export interface QueueDeps {
  cap: number;
  /** the task's pool now (null: none) */
  poolOf(taskId: number): string | null;
  slotsOf(pool: string): number;
  start(q: QueuedRun): void;
}

export class RunQueue {
  private queued: QueuedRun[] = [];
  private readonly runningTasks = new Map<number, string | null>(); // task id -> pool it holds
  private readonly poolUse = new Map<string, number>();
  private paused = true;

  constructor(private readonly d: QueueDeps) {}

  poolCounts(pool: string): { running: number; queued: number } {
    return {
      running: this.poolUse.get(pool) ?? 0,
      queued: this.queued.filter((q) => this.d.poolOf(q.taskId) === pool).length,
    };
  }

  /** Running and queued runs of every pool ("" for runs without one). */
  allCounts(): Map<string, { running: number; queued: number }> {
    const out = new Map<string, { running: number; queued: number }>();
    const of = (pool: string | null) => {
      const key = pool ?? "";
      let c = out.get(key);
      if (!c) out.set(key, (c = { running: 0, queued: 0 }));
      return c;
    };
    for (const pool of this.runningTasks.values()) of(pool).running++;
    for (const q of this.queued) of(this.d.poolOf(q.taskId)).queued++;
    return out;
  }


  enqueue(q: QueuedRun): void {
    this.queued.push(q);
    this.pump();
  }

  /** Removes a queued run (cancel); false when it is not waiting. */
  remove(runId: number): boolean {
    const i = this.queued.findIndex((q) => q.runId === runId);
    if (i === -1) return false;
    this.queued.splice(i, 1);
    return true;
  }

  /** A running run ended: its slot goes to the next run that may start. */
  finished(taskId: number): void {
    const pool = this.runningTasks.get(taskId);
    this.runningTasks.delete(taskId);
    if (pool) this.poolUse.set(pool, (this.poolUse.get(pool) ?? 1) - 1);
    this.pump();
  }

  /** Start-up holds the queue until recovery has run; shutdown stops it for good. */
  resume(): void {
    this.paused = false;
    this.pump();
  }

  pause(): void {
    this.paused = true;
  }

  pump(): void {
    if (this.paused) return;
    for (let i = 0; i < this.queued.length && this.runningTasks.size < this.d.cap; ) {
      const q = this.queued[i]!;
      const pool = this.d.poolOf(q.taskId);
      const poolFull = pool !== null && (this.poolUse.get(pool) ?? 0) >= this.d.slotsOf(pool);
      if (this.runningTasks.has(q.taskId) || poolFull) {
        i++;
        continue;
      }
      this.queued.splice(i, 1);
      this.runningTasks.set(q.taskId, pool);
      if (pool) this.poolUse.set(pool, (this.poolUse.get(pool) ?? 0) + 1);
      this.d.start(q);
    }
  }
}
