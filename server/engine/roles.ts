// What this node does as its part in the cluster changes (cluster/cluster.ts,
// Roles): recover what its own stop left, lead (schedule, place, catch up),
// follow, come back after being found gone, and act on what the other nodes
// say. On one node (SQLite) it leads from the start and hears nothing.
import type { Config } from "../config.ts";
import type { Cluster, ClusterMessage, Roles } from "../cluster/cluster.ts";
import { applyLogsMessage } from "../cluster/logs.ts";
import { catchUp, lastMissedFire } from "./catchup.ts";
import type { Clock } from "./clock.ts";
import { parseCron } from "./cron.ts";
import type { Deadlines } from "./deadlines.ts";
import type { Dispatch } from "./dispatch.ts";
import type { EventBus } from "./events.ts";
import type { LogStore } from "./logstore.ts";
import type { Outage } from "./outage.ts";
import { recoverClosed, recoverInterrupted } from "./recovery.ts";
import type { Retention } from "./retention.ts";
import type { RunnerDeps } from "./runner.ts";
import type { Scheduler } from "./scheduler.ts";
import type { RunStore, TaskStore } from "./stores.ts";
import { FINISHED_RUN, type Run, type Task } from "./types.ts";
import { zoneOf } from "./zones.ts";

const log = (msg: string) => console.log(`lightflow: ${msg}`);

/** What other parts of the server hear of the other nodes (cli/serve.ts wires the scripts and the accounts). */
export interface ClusterListener {
  message?(m: ClusterMessage, from: string): void;
  /** messages may have been missed */
  resync?(): void;
}

/** The engine as the roles use it. */
export interface RolesHost {
  config: Config;
  cluster: Cluster;
  clock: Clock;
  bus: EventBus;
  tasks: TaskStore;
  runs: RunStore;
  dispatch: Dispatch;
  scheduler: Scheduler;
  deadlines: Deadlines;
  retention: Retention;
  outage: Outage;
  /** the logs of the steps this node ran */
  ownLogs: LogStore;
  listeners: ReadonlySet<ClusterListener>;
  runnerDeps(): RunnerDeps;
  /** tasks and pools as stored now, into every cache of the engine */
  reloadDefinitions(): Task[];
  /** another node saved (or fired) this task: the caches are read again if its definition changed */
  remoteTask(t: Task): void;
  /** false (and said in the log) for a schedule saved before CRON was read strictly */
  cronStillValid(t: Task): boolean;
  catchUpRun(t: Task, at: number): Run | null;
  fire(taskId: number, fireAt: number): void;
  /** the tasks that follow a run that ended */
  runEnded(run: Run): void;
  /** the variables are read again before the next step */
  variablesStale(): void;
  stopping(): boolean;
}

export class NodeRoles implements Roles {
  constructor(private readonly h: RolesHost) {}

  /**
   * What a stop of this node left: its runs still marked running (their
   * processes killed, their `always` steps run), and on a cluster the
   * `always` steps of its runs the leader closed while it was gone (they
   * undo what earlier steps did on this machine), before any new work.
   */
  async recover(): Promise<void> {
    const { cluster, runs, config } = this.h;
    const me = cluster.name;
    const shared = cluster.shared;
    // on one node every run is its own (runs from before nodes were recorded have none)
    const interrupted = runs.live().filter((r) => r.status === "running" && (!shared || r.node === me || r.node === null));
    await recoverInterrupted(this.h.runnerDeps(), interrupted, config.killGraceMs);
    if (shared) await recoverClosed(this.h.runnerDeps(), runs.owedAlways(me), me, config.killGraceMs);
    // a run that ended in recovery ended all the same: the tasks after it are queued (before new work)
    for (const r of interrupted) {
      const ended = runs.get(r.id);
      if (ended && FINISHED_RUN.has(ended.status)) this.h.runEnded(ended);
    }
    // runs the leader gave this node before it stopped: the leader holds them as this node's
    if (shared) this.h.dispatch.startOwed();
  }

  /**
   * This node leads (at start on one node; on a cluster when it takes the
   * lease): the queue from the store, catch-up, the schedules, retention.
   * `handover`: the previous leader was alive until then, and a fire time
   * since a task's last fire fell in the hand-over: it fires now, late, once.
   */
  lead(handover: number | null): void {
    const { clock, config, tasks: taskStore, deadlines, scheduler, dispatch } = this.h;
    if (this.h.stopping()) return;
    this.nodesChanged();
    const now = clock.now();
    const tasks = this.h.reloadDefinitions();
    const late = handover === null ? "server_down" : "not_started";
    dispatch.lead(this.h.runs.live(), new Map(tasks.map((t) => [t.id, t])), (task, run) => deadlines.watch(task, run, late));
    const scheduled = tasks.filter((t) => this.h.cronStillValid(t));
    if (handover === null) {
      const catchUpDeps = { tasks: taskStore, timezone: config.timezone, deadlines, enqueue: (t: Task, at: number) => this.h.catchUpRun(t, at), log };
      for (const t of scheduled) catchUp(t, now, catchUpDeps);
    } else {
      for (const t of scheduled) {
        if (!t.cron || !t.enabled) continue;
        const since = Math.max(taskStore.anchor(t.id) ?? t.created_at, handover - 60_000);
        const missed = lastMissedFire(parseCron(t.cron), zoneOf(t, config.timezone), since, now);
        if (missed === null) continue;
        log(`task ${t.name}: the fire at ${new Date(missed).toISOString()} fell in the hand-over of the lead; firing it now`);
        this.h.fire(t.id, missed);
      }
    }
    for (const t of scheduled) scheduler.set(t.id, t.cron, t.enabled, zoneOf(t, config.timezone));
    scheduler.release();
    this.h.retention.start(clock.now() + 60_000);
    dispatch.resume();
  }

  /** Another node leads now: nothing is scheduled or placed here (the runs here go on to their end). */
  follow(): void {
    if (!this.h.dispatch.leading) return;
    this.h.dispatch.follow();
    this.nodesChanged();
    log("another node leads now: scheduling and placing runs there");
    this.h.scheduler.hold();
    this.h.deadlines.clearAll();
  }

  nodeLost(name: string): boolean {
    return this.h.dispatch.nodeLost(name);
  }

  rejoined(): void {
    this.stopClosed().catch((e) => log(`running what this node owes after it was found gone failed (${(e as Error).message}); it runs at its next start`));
  }

  /** This node was found gone and its runs closed: what still runs of them stops; their always steps run here. */
  private async stopClosed(): Promise<void> {
    const { cluster, runs, dispatch, config } = this.h;
    const me = cluster.name;
    const closed = (run: Run) => {
      const stored = runs.get(run.id);
      return !stored || stored.node !== me || FINISHED_RUN.has(stored.status);
    };
    await dispatch.interrupt(`interrupted: node ${me} lost the database and its runs were closed`, closed);
    await recoverClosed(this.h.runnerDeps(), runs.owedAlways(me).filter((r) => !dispatch.running(r.id)), me, config.killGraceMs);
  }

  /** What another node said. */
  message(m: ClusterMessage, from: string): void {
    const { bus, dispatch, cluster } = this.h;
    for (const l of this.h.listeners) l.message?.(m, from);
    switch (m.kind) {
      case "event":
        bus.emitRemote(m.event);
        if (m.event.type === "run") dispatch.remoteRun(m.event.run);
        else if (m.event.type === "task") this.h.remoteTask(m.event.task);
        else if (m.event.type === "task_deleted") this.h.reloadDefinitions();
        return;
      case "run": {
        const run = this.h.runs.get(m.id);
        if (run) {
          bus.emitRemote({ type: "run", run });
          dispatch.remoteRun(run);
        }
        return;
      }
      case "assign":
        if (m.node === cluster.name) dispatch.startAssigned(m.run);
        return;
      case "cancel":
        if (m.node === cluster.name) dispatch.cancelHere(m.run, from);
        return;
      case "changed":
        if (m.what === "variables") this.h.variablesStale();
        else this.h.reloadDefinitions();
        return;
      case "logs":
        applyLogsMessage(this.h.ownLogs, m);
        return;
      case "nodes":
        this.nodesChanged();
        dispatch.pump(); // a node that joined has room
        // a new leader may hold runs given to this node whose message was lost with the old one
        this.h.outage.do("the runs given to this node", () => dispatch.startOwed());
        return;
      case "scripts":
      case "access":
      case "packages":
      case "package_job":
        return; // the listeners' (Engine.onCluster)
    }
  }

  /** Shown here only: every node hears the same change from the cluster itself. */
  private nodesChanged(): void {
    this.h.bus.emitRemote({ type: "nodes" });
  }

  /** Messages may have been missed: definitions, the variables, and (leading) the queue, from the store. */
  resync(): void {
    log("listening to the other nodes; reading the state from the database (messages may have been missed)");
    this.h.variablesStale();
    this.h.outage.do("reading the state of the other nodes", () => {
      for (const l of this.h.listeners) l.resync?.();
      if (this.h.dispatch.leading) this.lead(Date.now());
      else this.h.reloadDefinitions();
      this.h.dispatch.startOwed();
    });
  }
}
