// Which queued run may start now, and on which node. Runs start in FIFO order
// of queueing as soon as a node that may run them has room under its own cap,
// their pool has a slot and the task has no run running: three rules that hold
// across every node, because only the leader places runs (one queue, in its
// memory). The check runs on the event that changed something (a run queued, a
// run ended, a pool resized, a node joined), never on a timer.

export interface QueuedRun {
  runId: number;
  taskId: number;
}

export interface QueueDeps {
  /** the task's pool now (null: none) */
  poolOf(taskId: number): string | null;
  slotsOf(pool: string): number;
  /** a node the task may run on with room now, given each node's runs (`load`); null: none now */
  place(taskId: number, load: (node: string) => number): string | null;
  /** whether any node has room at all (a full cluster ends the scan early) */
  room(load: (node: string) => number): boolean;
  start(q: QueuedRun, node: string): void;
}

interface Placed {
  taskId: number;
  pool: string | null;
  node: string;
}

export class RunQueue {
  private queued: QueuedRun[] = [];
  private readonly running = new Map<number, Placed>(); // run id ->
  private readonly runningTasks = new Set<number>();
  private readonly poolUse = new Map<string, number>();
  private readonly nodeUse = new Map<string, number>();
  private readonly load = (node: string) => this.nodeUse.get(node) ?? 0;
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
    for (const p of this.running.values()) of(p.pool).running++;
    for (const q of this.queued) of(this.d.poolOf(q.taskId)).queued++;
    return out;
  }

  has(runId: number): boolean {
    return this.running.has(runId) || this.queued.some((q) => q.runId === runId);
  }

  enqueue(q: QueuedRun): void {
    if (this.has(q.runId)) return;
    this.queued.push(q);
    this.pump();
  }

  /** A run that is running (or given to a node) already: it holds its slots (a new leader takes over the queue). */
  holding(runId: number, taskId: number, pool: string | null, node: string): void {
    if (this.running.has(runId)) return;
    this.take(runId, { taskId, pool, node });
  }

  /** Removes a queued run (cancel); false when it is not waiting. */
  remove(runId: number): boolean {
    const i = this.queued.findIndex((q) => q.runId === runId);
    if (i === -1) return false;
    this.queued.splice(i, 1);
    return true;
  }

  /** A run ended (or will not start): its slots go to the next runs that may start. */
  finished(runId: number): void {
    const p = this.running.get(runId);
    if (!p) {
      this.remove(runId);
      return;
    }
    this.running.delete(runId);
    this.runningTasks.delete(p.taskId);
    if (p.pool) this.poolUse.set(p.pool, (this.poolUse.get(p.pool) ?? 1) - 1);
    this.nodeUse.set(p.node, (this.nodeUse.get(p.node) ?? 1) - 1);
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

  /** Forgets everything (this node stopped leading: the next leader rebuilds it from the store). */
  reset(): void {
    this.paused = true;
    this.queued = [];
    this.running.clear();
    this.runningTasks.clear();
    this.poolUse.clear();
    this.nodeUse.clear();
  }

  private take(runId: number, p: Placed): void {
    this.running.set(runId, p);
    this.runningTasks.add(p.taskId);
    if (p.pool) this.poolUse.set(p.pool, (this.poolUse.get(p.pool) ?? 0) + 1);
    this.nodeUse.set(p.node, this.load(p.node) + 1);
  }

  pump(): void {
    if (this.paused) return;
    for (let i = 0; i < this.queued.length && this.d.room(this.load); ) {
      const q = this.queued[i]!;
      const pool = this.d.poolOf(q.taskId);
      const poolFull = pool !== null && (this.poolUse.get(pool) ?? 0) >= this.d.slotsOf(pool);
      const node = this.runningTasks.has(q.taskId) || poolFull ? null : this.d.place(q.taskId, this.load);
      if (node === null) {
        i++;
        continue;
      }
      this.queued.splice(i, 1);
      this.take(q.runId, { taskId: q.taskId, pool, node });
      this.d.start(q, node);
    }
  }
}
