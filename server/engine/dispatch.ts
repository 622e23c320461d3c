// The runs between queued and ended. Which node runs a queued run is the
// leader's call (its RunQueue holds every queued run of the cluster: pools,
// caps and "a task never overlaps itself" hold across nodes); then the run is
// this node's or another's. On one node (SQLite) it is always this one, and
// a run starts straight from the queue.
import type { Config } from "../config.ts";
import { nodeMatches, type Cluster } from "../cluster/cluster.ts";
import type { Clock } from "./clock.ts";
import type { Deadlines } from "./deadlines.ts";
import type { EventBus } from "./events.ts";
import type { Outage } from "./outage.ts";
import { RunQueue, type QueuedRun } from "./queue.ts";
import { nodeLostError } from "./recovery.ts";
import { RunExecution, type RunnerDeps } from "./runner.ts";
import type { RunStore } from "./stores.ts";
import { FINISHED_RUN, type Pool, type Run, type Task } from "./types.ts";

const log = (msg: string) => console.log(`lightflow: ${msg}`);

export type CancelResult = Run | "run_not_found" | "run_finished";

export interface DispatchDeps {
  config: Config;
  cluster: Cluster;
  runs: RunStore;
  bus: EventBus;
  clock: Clock;
  outage: Outage;
  deadlines: Deadlines;
  runnerDeps(): RunnerDeps;
  /** a run ended (its steps, a cancel while queued, the leader closing a gone node's): the tasks after it */
  ended(run: Run): void;
  stopping(): boolean;
}

export class Dispatch {
  /** this node places the queued runs (always, on one node) */
  leading = false;
  private readonly queue: RunQueue;
  private readonly taskPool = new Map<number, string | null>();
  private readonly taskRunsOn = new Map<number, string | null>();
  readonly poolSlots = new Map<string, number>();
  private readonly executions = new Map<number, RunExecution>();
  private readonly settled = new Map<number, Promise<unknown>>();
  /** runs this process queued, as inserted: a start need not read them back */
  private readonly queuedHere = new Map<number, Run>();

  constructor(private readonly d: DispatchDeps) {
    const me = d.cluster.name;
    const cap = d.config.globalConcurrency;
    const shared = d.cluster.shared;
    this.queue = new RunQueue({
      poolOf: (taskId) => this.taskPool.get(taskId) ?? null,
      slotsOf: (pool) => this.poolSlots.get(pool) ?? 1,
      // one node runs every task (runs_on names nodes that share a PostgreSQL)
      place: shared ? (taskId, load) => this.place(taskId, load) : (_, load) => (load(me) < cap ? me : null),
      room: shared ? (load) => d.cluster.members().some((n) => load(n.name) < n.capacity) : (load) => load(me) < cap,
      start: (q, node) => (shared ? this.assign(q, node) : this.startRun(q)),
    });
  }

  // ---- what the queue needs of the definitions --------------------------------------

  /** Every task and pool as stored now. */
  definitions(tasks: Task[], pools: Pool[]): void {
    this.taskPool.clear();
    this.taskRunsOn.clear();
    for (const t of tasks) this.taskChanged(t, false);
    this.poolSlots.clear();
    for (const p of pools) this.poolSlots.set(p.name, p.slots);
    this.pump();
  }

  taskChanged(t: Task, pump = true): void {
    this.taskPool.set(t.id, t.pool);
    this.taskRunsOn.set(t.id, t.runs_on ?? null);
    if (pump) this.pump(); // a new pool may have room
  }

  taskDeleted(id: number): void {
    this.taskPool.delete(id);
    this.taskRunsOn.delete(id);
  }

  poolChanged(name: string, slots: number | null): void {
    if (slots === null) this.poolSlots.delete(name);
    else this.poolSlots.set(name, slots);
    this.pump();
  }

  /** Something freed room (a node joined, a definition changed): the leader starts what may start. */
  pump(): void {
    if (this.leading) this.queue.pump();
  }

  // ---- the leader's queue -----------------------------------------------------------

  /**
   * This node places runs from now: the queue from the store's live runs
   * (`watch` sets each waiting run's start deadline). A run given to a node
   * that is gone waits for nodeLost to give it back.
   */
  lead(live: Run[], tasks: Map<number, Task>, watch: (task: Task, run: Run) => void): void {
    this.leading = true;
    this.queue.reset();
    const alive = new Set(this.d.cluster.members().map((n) => n.name));
    for (const run of live) {
      const task = tasks.get(run.task_id)!;
      if (run.status === "queued" && run.node === null) {
        watch(task, run);
        this.queue.enqueue({ runId: run.id, taskId: run.task_id });
      } else if (run.node === null || alive.has(run.node) || run.status === "running") {
        this.queue.holding(run.id, run.task_id, task.pool, run.node ?? this.d.cluster.name);
      }
    }
  }

  /** Start what may start (after lead's catch-up). */
  resume(): void {
    this.queue.resume();
  }

  /** Another node places runs now (the runs here go on to their end). */
  follow(): void {
    this.leading = false;
    this.queue.reset();
    this.queuedHere.clear();
  }

  /** A run was queued here; on a cluster the leader hears of it from the bus. */
  queued(run: Run): void {
    if (!this.leading) return;
    this.queuedHere.set(run.id, structuredClone(run)); // listeners may keep the emitted object; the execution mutates its own
    this.queue.enqueue({ runId: run.id, taskId: run.task_id });
  }

  /** The leader keeps its queue by what the other nodes' runs do. */
  remoteRun(run: Run): void {
    if (!this.leading) return;
    if (run.status === "queued" && run.node === null) this.queue.enqueue({ runId: run.id, taskId: run.task_id });
    else if (FINISHED_RUN.has(run.status)) this.queue.finished(run.id);
  }

  /** The least busy live node the task may run on with room (this one first among equals); null: none now. */
  private place(taskId: number, load: (node: string) => number): string | null {
    const runsOn = this.taskRunsOn.get(taskId) ?? null;
    let best: string | null = null;
    let bestLoad = Infinity;
    for (const n of this.d.cluster.members()) {
      const l = load(n.name);
      if (l >= n.capacity || !nodeMatches(runsOn, n)) continue;
      if (l < bestLoad || (l === bestLoad && n.name === this.d.cluster.name)) {
        best = n.name;
        bestLoad = l;
      }
    }
    return best;
  }

  /** The leader gives a queued run to a node (itself included), fenced: a leader that lost its lease gives nothing. */
  private assign(q: QueuedRun, node: string): void {
    const term = this.d.cluster.term(); // the lead this was decided under
    this.d.outage.do(`the placement of run ${q.runId}`, () => {
      const given = this.d.cluster.assign(q.runId, node, term);
      if (given === null) return; // no longer leading (follow() emptied this queue), or leading anew (lead() placed it again)
      if (!given) {
        queueMicrotask(() => this.leading && this.queue.finished(q.runId)); // cancelled (or given) meanwhile
        return;
      }
      if (node === this.d.cluster.name) this.startRunNow(q);
      else this.d.cluster.publish({ kind: "assign", run: q.runId, node });
    });
  }

  /** The leader found a node gone: its running runs end failed, its queued runs are placed again. */
  nodeLost(name: string): boolean {
    const { runs, clock, cluster } = this.d;
    const closed = cluster.fenced(() => runs.closeNode(name, nodeLostError(name), clock.now()));
    if (!closed) return false;
    if (closed.ended.length || closed.requeued.length) {
      log(`node ${name} is gone: ${closed.ended.length} running run(s) recorded failed, ${closed.requeued.length} queued run(s) placed again`);
    }
    for (const id of closed.ended) {
      const run = runs.get(id)!;
      this.d.bus.emit({ type: "run", run });
      this.queue.finished(id);
      this.d.ended(run);
    }
    for (const r of closed.requeued) {
      this.queue.finished(r.id);
      this.queue.enqueue({ runId: r.id, taskId: r.task_id });
    }
    return true;
  }

  /** Queued and running runs per pool: the leader's queue, else the store's (the queue is elsewhere). */
  poolCounts(): Map<string, { running: number; queued: number }> {
    return this.leading ? this.queue.allCounts() : this.d.runs.liveCounts();
  }

  // ---- the runs this node runs --------------------------------------------------------

  /** While the store is unavailable no run starts: a queued run waits for it. */
  private startRun(q: QueuedRun): void {
    this.d.outage.do(`the start of run ${q.runId}`, () => this.startRunNow(q));
  }

  /** A run the leader gave to this node. */
  startAssigned(runId: number): void {
    if (this.d.stopping() || this.executions.has(runId)) return;
    const run = this.d.runs.get(runId);
    if (!run || run.status !== "queued" || run.node !== this.d.cluster.name) return;
    this.queuedHere.set(run.id, run);
    this.startRun({ runId, taskId: run.task_id });
  }

  private startRunNow(q: QueuedRun): void {
    this.d.deadlines.clear(q.runId);
    const run = this.queuedHere.get(q.runId) ?? this.d.runs.get(q.runId);
    this.queuedHere.delete(q.runId);
    if (!run || run.status !== "queued" || this.executions.has(run.id)) {
      if (this.leading) this.queue.finished(q.runId);
      return;
    }
    const exec = new RunExecution(this.d.runnerDeps(), run);
    this.executions.set(run.id, exec);
    const done = exec
      .execute()
      .then((status) => {
        if (!status) return;
        log(`run ${run.id} of ${run.task} ended ${status}`);
        this.d.ended(exec.run);
      })
      .catch((e) => console.error(`lightflow: run ${run.id} failed inside the engine: ${(e as Error).stack}`))
      .finally(() => {
        this.executions.delete(run.id);
        this.settled.delete(run.id);
        if (this.leading) this.queue.finished(q.runId); // else the leader hears of its end
      });
    this.settled.set(run.id, done);
  }

  cancel(runId: number): CancelResult {
    const { runs, bus, cluster } = this.d;
    const run = runs.get(runId);
    if (!run) return "run_not_found";
    if (FINISHED_RUN.has(run.status)) return "run_finished";
    const exec = this.executions.get(runId);
    if (exec) {
      exec.cancel();
      return exec.run;
    }
    if (run.status === "queued" && (this.queue.remove(runId) || (cluster.shared && run.node === null))) {
      this.d.deadlines.clear(runId);
      this.queuedHere.delete(runId);
      // on a cluster the leader may have given it to a node meanwhile: then that node cancels it
      if (!runs.cancelQueued(runId, this.d.clock.now())) return this.cancelElsewhere(runId);
      const cancelled = runs.get(runId)!;
      log(`run ${runId} of ${cancelled.task} ended cancelled (while queued)`);
      bus.emit({ type: "run", run: cancelled });
      for (const s of cancelled.steps) bus.emitLogEnd(runId, s.position, s, s.attempt); // nobody waits on a log that never comes
      this.d.ended(cancelled);
      return cancelled;
    }
    return this.cancelElsewhere(runId);
  }

  /** A run another node runs (or was given): that node cancels it; the answer is the run as it is now. */
  private cancelElsewhere(runId: number): CancelResult {
    const run = this.d.runs.get(runId)!;
    if (run.node && run.node !== this.d.cluster.name && !FINISHED_RUN.has(run.status)) this.d.cluster.publish({ kind: "cancel", run: runId, node: run.node });
    return run;
  }

  /** Another node asked to cancel a run that runs here. */
  cancelHere(runId: number, from: string): void {
    const exec = this.executions.get(runId);
    if (!exec) return;
    log(`run ${runId}: cancelled through node ${from}`);
    exec.cancel();
  }

  /** Live view of a run in progress here (fresher than the database between writes). */
  liveRun(runId: number): Run | null {
    return this.executions.get(runId)?.run ?? null;
  }

  running(runId: number): boolean {
    return this.executions.has(runId);
  }

  /** How many runs run here, and how many of them have a step running now (metrics). */
  load(): { runs: number; steps: number } {
    const steps = [...this.executions.values()].filter((e) => e.run.steps.some((s) => s.status === "running")).length;
    return { runs: this.executions.size, steps };
  }

  /** Stops every run here (shutdown), or those `which` picks, and waits for those to settle. */
  async interrupt(reason: string, which: (run: Run) => boolean = () => true): Promise<void> {
    const stopped: Promise<unknown>[] = [];
    for (const [id, exec] of this.executions) {
      if (!which(exec.run)) continue;
      exec.interrupt(reason);
      stopped.push(this.settled.get(id)!);
    }
    await Promise.all(stopped);
  }

  /** Starts the runs the leader gave this node that it has not started (a message lost, a restart). */
  startOwed(): void {
    for (const id of this.d.runs.givenTo(this.d.cluster.name)) this.startAssigned(id);
  }

  /** Shutdown: nothing more starts. */
  pause(): void {
    this.queue.pause();
  }
}
