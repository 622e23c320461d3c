// The engine: the one owner of live state. Tasks, the scheduler, the queue and
// the runs in progress meet here; HTTP and the CLI call these methods, and
// everything that changes is published on the bus.
import type { Config } from "../config.ts";
import { SoloCluster, type Cluster, type NodeInfo } from "../cluster/cluster.ts";
import { systemClock, type Clock } from "./clock.ts";
import { chainProblem, queueFollowers } from "./chains.ts";
import { cronProblem } from "./cron.ts";
import { Deadlines } from "./deadlines.ts";
import { EventBus } from "./events.ts";
import { processExecutor, type Executor } from "./executor.ts";
import { NodeLogStore, type NodeLogDeps } from "../cluster/logs.ts";
import { liveSteps } from "./logfeed.ts";
import { FileLogStore } from "./logs.ts";
import type { LogStore } from "./logstore.ts";
import { Metrics } from "./metrics.ts";
import { Outage } from "./outage.ts";
import { Dispatch, type CancelResult } from "./dispatch.ts";
import { NodeRoles, type ClusterListener } from "./roles.ts";
import { Retention } from "./retention.ts";
import type { RunnerDeps } from "./runner.ts";
import { Scheduler } from "./scheduler.ts";
import type { SetupTarget } from "./setup.ts";
import { StoreUnavailable, type PoolStore, type RunSeed, type RunStore, type Stores, type TaskPatch, type TaskStore, type VariableStore } from "./stores.ts";
import { definitionKey, definitionProblem } from "./taskdef.ts";
import { defaultParams, paramsProblem, paramsText, resolveParams, sameParams, type ParamValues } from "./params.ts";
import { retryPlan } from "./retry.ts";
import { timezoneProblem, zoneOf } from "./zones.ts";
import type { Plan } from "./setup.ts";
import type { RunFilter } from "./stores.ts";
import type { Pool, Run, RunView, Task, TaskDef, Trigger, Variable } from "./types.ts";

const log = (msg: string) => console.log(`lightflow: ${msg}`);

export interface EngineOptions {
  config: Config;
  stores: Stores;
  clock?: Clock;
  executor?: Executor;
  bus?: EventBus;
  /** where step logs live; by default the files under config.dataDir */
  logs?: LogStore;
  /** the nodes sharing the store; by default this process alone (SQLite) */
  cluster?: Cluster;
  /** what must be done before a step's process starts (RunnerDeps.beforeStep) */
  beforeStep?: () => Promise<void> | null;
}

export type { ClusterListener };

export type TriggerResult = { run: Run; created: boolean };

/** Why a task definition or change is refused; http/ maps `invalid` to 422 and the rest to 409. */
export type TaskProblem =
  | { problem: "invalid"; field: string; message: string }
  | { problem: "name_taken"; field: "name"; message: string }
  | { problem: "renamed_while_live"; field: "name"; message: string }
  | { problem: "has_live_run"; message: string }
  /** other tasks run after this one: deleting it would leave their links dangling */
  | { problem: "followed"; message: string; followers: string[] };
export type { CancelResult };
/** Why a manual trigger or a retry queues nothing: `invalid` (a parameter) is 422, `conflict` 409. */
export type RunProblem =
  | { problem: "invalid"; field: string; message: string }
  | { problem: "conflict"; message: string }
  | { problem: "run_not_found" };
export type PoolDeleteResult = true | "pool_not_found" | "pool_in_use";

export class Engine {
  readonly config: Config;
  private readonly stores: Stores;
  readonly bus: EventBus;
  readonly clock: Clock;
  private readonly tasks: TaskStore;
  private readonly runs: RunStore;
  private readonly pools: PoolStore;
  private readonly variables: VariableStore;
  /** every step log, wherever it is (this node's, or another node's on a cluster) */
  readonly logs: LogStore;
  /** the logs of the steps this node ran (what it serves to the other nodes) */
  readonly ownLogs: LogStore;
  private readonly executor: Executor;
  private readonly scheduler: Scheduler;
  /** the queue (the leader's), the placement and the runs this node runs */
  private readonly dispatch: Dispatch;
  readonly cluster: Cluster;
  /** each known task's definitionKey as last read or saved here (a task deleted on another node leaves the scheduler) */
  private defined = new Map<number, string>();
  private readonly deadlines: Deadlines;
  private readonly retention: Retention;
  private stopping = false;
  private readonly metrics: Metrics;
  /** what waits for the store to come back (PostgreSQL restarting) */
  private readonly outage = new Outage(log);
  /**
   * The variables as last read: every step's environment needs them, and the
   * engine makes every change to them, so they are read again only after one
   * (and serve as they are while the store is unavailable).
   */
  private lastVariables: Variable[] = [];
  private variablesFresh = false;
  /** the tasks that others run after (a run's end looks for followers only of these) */
  private upstreams = new Set<number>();
  private readonly beforeStep: (() => Promise<void> | null) | undefined;
  private readonly listeners = new Set<ClusterListener>();
  /** this node's part as the cluster changes (leading, following, what the others say) */
  private readonly roles: NodeRoles;

  constructor(o: EngineOptions) {
    this.config = o.config;
    this.stores = o.stores;
    this.clock = o.clock ?? systemClock;
    this.bus = o.bus ?? new EventBus();
    this.executor = o.executor ?? processExecutor;
    this.tasks = o.stores.tasks;
    this.runs = o.stores.runs;
    this.pools = o.stores.pools;
    this.variables = o.stores.variables;
    this.cluster = o.cluster ?? new SoloCluster(o.config, () => o.config.nodeUrl ?? o.config.baseUrl);
    this.ownLogs = o.logs ?? new FileLogStore(o.config.dataDir, liveSteps(this));
    // on a cluster a log may be on another node: reads go there, writes stay here
    this.logs = this.cluster.shared ? new NodeLogStore(this.nodeLogDeps()) : this.ownLogs;
    this.metrics = new Metrics(this.bus, o.stores.runs);
    // held until this node leads (at once on one node)
    this.scheduler = new Scheduler({ clock: this.clock, fire: (taskId, fireAt) => this.fire(taskId, fireAt) }, { held: true });
    this.deadlines = new Deadlines({ clock: this.clock, bus: this.bus, runs: this.runs, log });
    this.retention = new Retention({
      clock: this.clock,
      runs: this.runs,
      logs: this.logs,
      days: o.config.logRetentionDays,
      job: (name, at, fn) => this.scheduler.job(name, at, fn),
      log,
    });
    o.stores.onAvailability?.((up) => {
      log(up ? "the database is back" : "the database is unavailable; reconnecting");
      if (up) this.outage.resume();
    });
    this.beforeStep = o.beforeStep;
    this.dispatch = new Dispatch({
      config: this.config,
      cluster: this.cluster,
      runs: this.runs,
      bus: this.bus,
      clock: this.clock,
      outage: this.outage,
      deadlines: this.deadlines,
      runnerDeps: () => this.runnerDeps,
      ended: (run) => this.runEnded(run),
      stopping: () => this.stopping,
    });
    // what happens here, the other nodes see (cluster/)
    if (this.cluster.shared) this.bus.on((e, remote) => remote || this.cluster.publish({ kind: "event", event: e }));
    this.roles = new NodeRoles({
      config: this.config,
      cluster: this.cluster,
      clock: this.clock,
      bus: this.bus,
      tasks: this.tasks,
      runs: this.runs,
      dispatch: this.dispatch,
      scheduler: this.scheduler,
      deadlines: this.deadlines,
      retention: this.retention,
      outage: this.outage,
      ownLogs: this.ownLogs,
      listeners: this.listeners,
      runnerDeps: () => this.runnerDeps,
      reloadDefinitions: () => this.reloadDefinitions(),
      remoteTask: (t) => this.remoteTask(t),
      cronStillValid: (t) => this.cronStillValid(t),
      catchUpRun: (t, at) => this.enqueueRun(t, "catchup", null, at),
      fire: (taskId, at) => this.fire(taskId, at),
      runEnded: (run) => this.runEnded(run),
      variablesStale: () => void (this.variablesFresh = false),
      stopping: () => this.stopping,
    });
  }

  private nodeLogDeps(): NodeLogDeps {
    const cluster = this.cluster;
    return {
      local: this.ownLogs,
      me: cluster.name,
      runOf: (runId) => this.getRun(runId),
      members: () => cluster.members(),
      secret: () => cluster.secret(),
      on: (fn) => this.bus.on(fn),
      publish: (m) => cluster.publish(m),
    };
  }

  private get runnerDeps(): RunnerDeps {
    return {
      config: this.config,
      runs: this.runs,
      bus: this.bus,
      executor: this.executor,
      clock: this.clock,
      variables: () => this.currentVariables(),
      logs: this.logs,
      outage: this.outage,
      owner: this.cluster.shared ? this.cluster.name : undefined,
      ...(this.beforeStep ? { beforeStep: this.beforeStep } : {}),
    };
  }

  /** Hears the other nodes' messages (after the engine's own handling) and their resyncs. */
  onCluster(l: ClusterListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /**
   * Start-up: close what a crash left running (and run its `always` steps),
   * queue one run for catch-up tasks that missed a fire, then start the
   * scheduler and the queued runs, in that order.
   */
  async start(): Promise<void> {
    this.reloadDefinitions();
    await this.roles.recover();
    // what other nodes changed while this one recovered (the kill grace may take seconds) is read again, not heard
    if (this.cluster.shared) this.reloadDefinitions();
    await this.cluster.start(this.roles);
  }

  /** Tasks and pools as stored now (at start, and when another node changed them). */
  private reloadDefinitions(): Task[] {
    const tasks = this.tasks.list();
    const gone = this.defined;
    this.defined = new Map(tasks.map((t) => [t.id, definitionKey(t)]));
    this.refreshChains(tasks);
    // every node knows the schedules (next_fire_at); only the leader's fire
    for (const id of gone.keys()) if (!this.defined.has(id)) this.scheduler.remove(id);
    for (const t of tasks) if (!t.cron || !cronProblem(t.cron)) this.scheduler.set(t.id, t.cron, t.enabled, zoneOf(t, this.config.timezone));
    this.dispatch.definitions(tasks, this.pools.list());
    return tasks;
  }

  /**
   * Another node saved a task, or (the leader) fired it: only a change of what
   * the caches here hold reads the definitions again. A fire moves next_fire_at
   * alone, and with many schedules every follower would read every task at every fire.
   */
  private remoteTask(t: Task): void {
    if (this.defined.get(t.id) !== definitionKey(t)) this.reloadDefinitions();
  }

  /**
   * A schedule saved before the CRON syntax was read strictly (`5#3` once ran as
   * `5`) is refused now: the task stays unscheduled, with a line saying why,
   * until it is edited. It must not stop the server from starting.
   */
  private cronStillValid(t: Task): boolean {
    const problem = t.cron ? cronProblem(t.cron) : null;
    if (problem) log(`task ${t.name} is not scheduled: ${problem}; edit its schedule to run it on time again`);
    return problem === null;
  }

  // ---- tasks ------------------------------------------------------------------

  nextFireAt(taskId: number): number | null {
    return this.scheduler.nextFireAt(taskId);
  }

  /** A task changed (created, replaced, patched): reschedule at once. */
  /** Which tasks others run after; again after every change of a task. */
  private refreshChains(tasks: Task[] = this.tasks.list()): void {
    const ids = new Map(tasks.map((t) => [t.name, t.id]));
    this.upstreams = new Set(tasks.flatMap((t) => t.after.map((l) => ids.get(l.task)).filter((id): id is number => id !== undefined)));
  }

  private taskChanged(t: Task): Task {
    this.refreshChains();
    this.defined.set(t.id, definitionKey(t));
    this.scheduler.set(t.id, t.cron, t.enabled, zoneOf(t, this.config.timezone));
    this.dispatch.taskChanged(t);
    this.bus.emit({ type: "task", task: t });
    return t;
  }

  listTasks(): Task[] {
    return this.tasks.list();
  }

  findTask(handle: string): Task | null {
    return this.tasks.find(handle);
  }

  /**
   * Whether `def` may be saved, as a new task (`self` null) or over `self`:
   * the definition's own rules (engine/taskdef.ts), a free name, and no
   * rename while a run is queued or running (its logs live under the name).
   */
  checkTask(def: TaskDef, self: Task | null): TaskProblem | null {
    const invalid = definitionProblem(def, (pool) => this.pools.get(pool) !== null);
    if (invalid) return { problem: "invalid", ...invalid };
    const other = this.tasks.find(def.name);
    if (other && other.id !== self?.id) return { problem: "name_taken", field: "name", message: `a task named "${def.name}" already exists` };
    if (self && def.name !== self.name && this.runs.hasLiveRun(self.id)) {
      return { problem: "renamed_while_live", field: "name", message: "a task cannot be renamed while it has a queued or running run" };
    }
    const chain = chainProblem(def, this.tasks.list(), self?.name ?? null);
    if (chain) return { problem: "invalid", ...chain };
    return null;
  }

  /** Whether a patch may be applied: a schedule switched on must parse (one saved before CRON was read strictly too), a pool must exist. */
  checkPatch(task: Task, patch: TaskPatch): TaskProblem | null {
    const cron = patch.cron !== undefined ? patch.cron : (patch.enabled ?? task.enabled) ? task.cron : null;
    const cronWrong = cron ? cronProblem(cron) : null;
    if (cronWrong) return { problem: "invalid", field: "cron", message: cronWrong };
    if (patch.pool && !this.pools.get(patch.pool)) return { problem: "invalid", field: "pool", message: `no pool named "${patch.pool}"` };
    const params = paramsProblem({ params: task.params, cron: patch.cron !== undefined ? patch.cron : task.cron });
    if (params) return { problem: "invalid", ...params };
    const zone = patch.timezone ? timezoneProblem(patch.timezone) : null;
    if (zone) return { problem: "invalid", field: "timezone", message: zone };
    const chain = patch.after ? chainProblem({ name: task.name, after: patch.after }, this.tasks.list(), task.name) : null;
    if (chain) return { problem: "invalid", ...chain };
    return null;
  }

  createTask(def: TaskDef): Task {
    return this.taskChanged(this.tasks.insert(def, this.clock.now()));
  }

  replaceTask(id: number, def: TaskDef): Task {
    const before = this.tasks.get(id)!;
    const t = this.tasks.replace(id, def, this.clock.now());
    if (before.name !== t.name) {
      // logs live under the task's name; a live run blocks renaming (checkTask)
      this.logs.renameTask(before.name, t.name);
      this.bus.emit({ type: "task_deleted", name: before.name });
      // the tasks after it now name it anew (links are kept by id)
      for (const f of this.tasks.followers(id)) this.bus.emit({ type: "task", task: this.tasks.get(f.id)! });
    }
    return this.taskChanged(t);
  }

  patchTask(id: number, patch: TaskPatch): Task {
    return this.taskChanged(this.tasks.patch(id, patch, this.clock.now()));
  }

  hasLiveRun(taskId: number): boolean {
    return this.runs.hasLiveRun(taskId);
  }

  /** Deletes a task with its runs and logs, unless a run of it is queued or running. */
  deleteTask(t: Task): TaskProblem | null {
    if (this.runs.hasLiveRun(t.id)) return { problem: "has_live_run", message: "the task has a queued or running run; cancel it first" };
    // refused rather than unlinked: a chain that silently stops ("page me when the backup fails") is worse than a clear no
    const followers = this.tasks.followers(t.id).map((f) => f.name);
    if (followers.length) {
      const names = followers.map((n) => `"${n}"`).join(", ");
      return { problem: "followed", followers, message: `${names} ${followers.length === 1 ? "runs" : "run"} after "${t.name}"; remove "${t.name}" from their "after" first` };
    }
    this.scheduler.remove(t.id);
    this.defined.delete(t.id);
    this.dispatch.taskDeleted(t.id);
    this.tasks.delete(t.id);
    this.refreshChains();
    this.logs.removeTask(t.name);
    this.bus.emit({ type: "task_deleted", name: t.name });
    return null;
  }

  /** Tasks as code: the engine as the place a setup file is read from and applied to. */
  setupTarget(): SetupTarget {
    return {
      tasks: () => this.tasks.list(),
      pools: () => this.pools.list(),
      variables: () => this.variables.all(),
      createTask: (def) => void this.createTask(def),
      replaceTask: (id, def) => void this.replaceTask(id, def),
      putPool: (p, exists) => {
        if (exists) this.pools.setSlots(p.name, p.slots);
        else this.pools.insert(p);
        this.poolChanged(p.name, p.slots);
      },
      putVariable: (v, exists) => (exists ? this.variables.update(v) : void this.variables.insert(v)),
    };
  }

  /** Applies an import plan (planImport over setupTarget), all of it or nothing. */
  applySetup(plan: Plan): void {
    this.stores.transaction(() => plan.apply());
    this.variablesChanged(); // the plan writes variables through setupTarget
    this.cluster.publish({ kind: "changed", what: "tasks" });
    this.refreshChains();
  }

  /** throws StoreUnavailable when the store cannot be reached (/api/alive) */
  pingStore(): void {
    this.stores.ping();
  }

  /** which store keeps everything ("postgres" has no snapshot: pg_dump backs it up) */
  get storeKind(): "sqlite" | "postgres" {
    return this.stores.kind;
  }

  /** A consistent copy of everything the server keeps, into a new file (backups). */
  snapshot(file: string): void {
    this.stores.snapshot(file);
  }

  // ---- pools ------------------------------------------------------------------

  listPools(): Pool[] {
    return this.pools.list();
  }

  /** False when the name is taken. The queue learns of the new slots at once. */
  createPool(pool: Pool): boolean {
    if (!this.pools.insert(pool)) return false;
    this.poolChanged(pool.name, pool.slots);
    return true;
  }

  /** False when there is no such pool. Waiting runs start at once if the pool grew. */
  setPoolSlots(name: string, slots: number): boolean {
    if (!this.pools.setSlots(name, slots)) return false;
    this.poolChanged(name, slots);
    return true;
  }

  deletePool(name: string): PoolDeleteResult {
    if (!this.pools.get(name)) return "pool_not_found";
    if (this.tasks.usesPool(name)) return "pool_in_use";
    this.pools.delete(name);
    this.poolChanged(name, null);
    return true;
  }

  private poolChanged(name: string, slots: number | null): void {
    this.cluster.publish({ kind: "changed", what: "pools" });
    this.dispatch.poolChanged(name, slots);
  }

  /** Running and queued runs per pool, all pools at once (on a follower one query of the store); a pool with none is absent. */
  poolCounts(): ReadonlyMap<string, { running: number; queued: number }> {
    return this.dispatch.poolCounts();
  }

  // ---- variables ----------------------------------------------------------------
  // read at each step's start: a change needs no event

  listVariables(): Variable[] {
    return this.variables.all();
  }

  variable(key: string): Variable | null {
    return this.variables.get(key);
  }

  /** False when the key is taken. */
  createVariable(v: Variable): boolean {
    this.variablesChanged();
    return this.variables.insert(v);
  }

  updateVariable(v: Variable): void {
    this.variablesChanged();
    this.variables.update(v);
  }

  deleteVariable(key: string): boolean {
    this.variablesChanged();
    return this.variables.delete(key);
  }

  /** every node reads them again before its next step */
  private variablesChanged(): void {
    this.variablesFresh = false;
    this.cluster.publish({ kind: "changed", what: "variables" });
  }

  // ---- runs -------------------------------------------------------------------

  /**
   * A manual trigger: queues a new run, or returns the task's run that is
   * already waiting (repeated clicks never pile up).
   */
  trigger(task: Task, by: string | null, within?: (run: Run) => void): TriggerResult {
    const r = this.triggerWith(task, by, {}, within);
    if ("problem" in r) throw new Error(`trigger of ${task.name}: ${r.problem}`); // a caller without values for a task that needs some
    return r;
  }

  /**
   * A manual trigger with parameter values (`given`, completed with the
   * defaults). A run already queued with the same values is the answer; one
   * queued with other values is a conflict (the person meant another run).
   */
  triggerWith(task: Task, by: string | null, given: ParamValues, within?: (run: Run) => void): TriggerResult | RunProblem {
    // a parameter may not shadow a secret variable: read them only for a task that has parameters
    const secrets = new Set(task.params.length ? this.variables.all().filter((v) => v.secret).map((v) => v.key) : []);
    const params = resolveParams(task.params, given, secrets);
    if (!params.ok) return { problem: "invalid", field: params.field, message: params.message };
    const queued = this.runs.queuedRunOf(task.id);
    if (queued !== null) {
      const run = this.runs.get(queued)!;
      if (sameParams(run.params, params.values)) return { run, created: false };
      const theirs = Object.keys(run.params).length ? `(${paramsText(run.params)})` : "(none)";
      return { problem: "conflict", message: `run ${run.id} of ${task.name} is already queued with other parameters ${theirs}; cancel it or trigger again once it has started` };
    }
    return { run: this.enqueueRun(task, "manual", by, null, within, { params: params.values })!, created: true };
  }

  /**
   * Queues a run of a finished, unsuccessful run's task that starts at its
   * first step that did not succeed, with the same parameters (engine/retry.ts
   * says which steps and why not).
   */
  retry(runId: number, by: string | null, within?: (run: Run, from: number) => void): Run | RunProblem {
    const original = this.getRun(runId);
    if (!original) return { problem: "run_not_found" };
    const task = this.tasks.get(original.task_id)!;
    const queued = this.runs.queuedRunOf(task.id);
    const plan = retryPlan(original, task, queued);
    if ("message" in plan) return { problem: "conflict", message: plan.message };
    const audit = within && ((run: Run) => within(run, plan.from));
    return this.enqueueRun(task, "retry", by, null, audit, { params: original.params, retryOf: original.id, doneIn: plan.doneIn })!;
  }

  /** The variables now; while the store is unavailable, as last read (a step's environment never waits on it). */
  private currentVariables(): Variable[] {
    if (this.variablesFresh) return this.lastVariables;
    try {
      this.lastVariables = this.variables.all();
      this.variablesFresh = true;
      return this.lastVariables;
    } catch (e) {
      if (e instanceof StoreUnavailable) return this.lastVariables;
      throw e;
    }
  }

  /** A fire time while the store is unavailable is fired when it is back: late, once (its run is unique per fire time). */
  private fire(taskId: number, fireAt: number): void {
    this.outage.do(`the fire of task ${taskId} at ${new Date(fireAt).toISOString()}`, () => this.fireNow(taskId, fireAt));
  }

  private fireNow(taskId: number, fireAt: number): void {
    if (this.stopping || !this.dispatch.leading) return;
    // on a cluster, only while this node still holds the lead (a leader cut off writes nothing)
    this.cluster.fenced(() => this.fireFenced(taskId, fireAt));
  }

  private fireFenced(taskId: number, fireAt: number): void {
    const task = this.tasks.get(taskId);
    if (!task) return;
    this.tasks.setAnchor(taskId, fireAt);
    this.bus.emit({ type: "task", task }); // its next_fire_at moved on
    if (this.runs.queuedRunOf(taskId) !== null) {
      log(`task ${task.name}: the fire at ${new Date(fireAt).toISOString()} was coalesced (a run is already queued)`);
      return;
    }
    const run = this.enqueueRun(task, "schedule", null, fireAt);
    if (run) this.deadlines.watch(task, run, "not_started");
  }

  /** A run ended (its steps, a cancel while queued, or recovery after a stop): queue the tasks that follow it (engine/chains.ts). */
  private runEnded(run: Run): void {
    if (this.stopping || !this.upstreams.has(run.task_id)) return;
    // after the run's own end (kept in order while the store is unavailable)
    this.outage.do(`the followers of run ${run.id}`, () => queueFollowers(run, {
      tasks: this.tasks,
      hasQueuedRun: (taskId) => this.runs.queuedRunOf(taskId) !== null,
      enqueue: (task, by, upstream) => void this.enqueueRun(task, "after", by, null, undefined, { upstream }),
      log,
    }));
  }

  /** `within`: more to write in the run's own transaction (an audit row). */
  /** `seed.params` defaults to the task's defaults (a scheduled, catch-up or chained run). */
  private enqueueRun(task: Task, trigger: Trigger, by: string | null, scheduledFor: number | null, within?: (run: Run) => void, seed: RunSeed = {}): Run | null {
    const run = this.runs.insertQueued(task, trigger, by, scheduledFor, this.clock.now(), within, { params: defaultParams(task.params), ...seed });
    if (!run) return null; // this fire time already has its run
    this.bus.emit({ type: "run", run }); // on a cluster, the leader hears of it from here
    this.dispatch.queued(run);
    return run;
  }

  /** Cancels a run: here if it runs here, else through the node that runs it. */
  cancel(runId: number): CancelResult {
    return this.dispatch.cancel(runId);
  }

  /** Live view of a run in progress (fresher than the database between writes). */
  liveRun(runId: number): Run | null {
    return this.dispatch.liveRun(runId);
  }

  /** A run as it is now: live while it runs, else as stored. */
  getRun(runId: number): Run | null {
    return this.liveRun(runId) ?? this.runs.get(runId);
  }

  /** A task's runs, newest first, each as it is now. */
  runsOf(taskId: number, limit: number, before?: number, filter?: RunFilter): RunView[] {
    const page = filter ? this.runs.filtered(taskId, limit, before, filter) : this.runs.page(taskId, limit, before);
    return page.map((r) => this.liveRun(r.id) ?? r);
  }

  /** A key that changes whenever one of the task's newest `limit` runs changes (the grid's cache). */
  newestRunsKey(taskId: number, limit: number): string {
    return this.runs.newestSpan(taskId, limit);
  }

  /** The Prometheus text of /api/metrics. */
  metricsText(build: { version: string; commit: string }): string {
    const pools = this.dispatch.poolCounts();
    for (const p of this.dispatch.poolSlots.keys()) if (!pools.has(p)) pools.set(p, { running: 0, queued: 0 });
    return this.metrics.render({ pools, runningSteps: this.dispatch.load().steps }, build);
  }

  /**
   * SIGTERM/SIGINT: start nothing more, kill running steps (TERM, then KILL
   * after the grace), record them failed, keep `always` steps for the next start.
   */
  async shutdown(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.dispatch.pause();
    this.scheduler.stop();
    this.deadlines.clearAll();
    await this.dispatch.interrupt("interrupted by server shutdown");
    this.cluster.stop(); // another node takes the lead at once
  }

  // ---- nodes (cluster/) -----------------------------------------------------------

  /** Every node with how many runs it runs now (GET /api/nodes). */
  nodes(): (NodeInfo & { running: number })[] {
    const running = this.cluster.shared ? this.runs.runningByNode() : new Map([[this.cluster.name, this.dispatch.load().runs]]);
    return this.cluster.nodes().map((n) => ({ ...n, running: running.get(n.name) ?? 0 }));
  }
}
