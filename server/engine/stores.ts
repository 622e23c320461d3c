// What the engine (and the services beside it) need from a store, as
// interfaces in the domain. db/ implements them once, for SQLite and
// PostgreSQL alike (each class checked with `implements`). Nothing outside db/
// knows which store is behind them, and nothing outside db/ writes SQL or
// opens a transaction: `transaction` is the store's own.
//
// The interfaces are synchronous, as bun:sqlite is: the engine's hot paths (a
// trigger, a step's start and end) stay free of awaits, which bench P4/P5/P13
// measure. PostgreSQL answers synchronously through a worker (server/README.md).
import type { ChainWhen, Pool, Run, RunStatus, RunView, StepStatus, Task, TaskDef, Trigger, Upstream, Variable } from "./types.ts";

/**
 * The store cannot be reached (PostgreSQL restarting, the network gone): a
 * request that needs it is answered 503, and the engine keeps what it must
 * write until the store is back (see `Stores.onAvailability`).
 */
export class StoreUnavailable extends Error {}

/**
 * Text the store cannot keep: PostgreSQL's text holds no NUL byte. Input that
 * reaches the store with one (a name in a path, a description) is refused
 * with 422, as any other input the server cannot take.
 */
export class UnstorableText extends Error {
  constructor() {
    super("text may not contain a NUL byte (\\u0000)");
  }
}

export type TaskPatch = Partial<Pick<TaskDef, "enabled" | "cron" | "pool" | "description" | "catchup" | "start_deadline_s" | "alert_emails" | "after" | "timezone">>;

export interface TaskStore {
  list(): Task[];
  get(id: number): Task | null;
  /** by name, or by numeric id */
  find(handle: string): Task | null;
  /** the last fire time the task was checked against (catch-up counts from it) */
  anchor(id: number): number | null;
  setAnchor(id: number, at: number): void;
  insert(def: TaskDef, now: number): Task;
  replace(id: number, def: TaskDef, now: number): Task;
  patch(id: number, patch: TaskPatch, now: number): Task;
  /** with its runs */
  delete(id: number): void;
  usesPool(pool: string): boolean;
  /** the tasks that run after this one (their `after` names it), by name */
  followers(id: number): { id: number; name: string; when: ChainWhen }[];
}

export interface StepResult {
  status: StepStatus;
  exit_code: number | null;
  signal: string | null;
  error: string | null;
  ended_at: number;
  log_bytes: number;
}

/** What RunStore.write changes, in one transaction. */
export interface RunWrite {
  /** the run starts running at this time */
  started?: number;
  /** the node it runs on (written with its start) */
  node?: string;
  stepEnded?: { position: number; result: StepResult };
  /** the position of a step that will not run */
  notRun?: number;
  /** `at` is the first attempt's start: the box's start */
  stepStarting?: { position: number; attempt: number; at: number; token: string };
  finished?: { status: RunStatus; at: number };
}

/** What a restart after a crash needs to find a step's processes. */
export interface LiveStep {
  run_id: number;
  position: number;
  pid: number | null;
  pid_start: number | null;
  token: string | null;
}

export interface RunFilter {
  statuses?: RunStatus[];
  from?: number;
  to?: number;
}

/** What a queued run starts with besides the task's steps. */
export interface RunSeed {
  /** its parameter values ({} when none) */
  params?: Record<string, string>;
  /** the run it retries */
  retryOf?: number;
  /** steps a retry does not run again: position → the run in which each was done (they start `skipped`) */
  doneIn?: Map<number, number>;
  /** a chained run: the run whose end queued it */
  upstream?: Upstream;
}

export interface RunStore {
  /**
   * A queued run of the task with every step pending (but those `seed.doneIn`
   * skips), or null when this fire time already has its run. `within` runs in
   * the same transaction.
   */
  insertQueued(task: Task, trigger: Trigger, by: string | null, scheduledFor: number | null, now: number, within?: (run: Run) => void, seed?: RunSeed): Run | null;
  get(id: number): Run | null;
  /** the id of the task's queued run, if it has one */
  queuedRunOf(taskId: number): number | null;
  /** a key that changes whenever one of the task's newest `limit` runs changes (the grid's cache) */
  newestSpan(taskId: number, limit: number): string;
  hasLiveRun(taskId: number): boolean;
  /** runs queued or running */
  live(): Run[];
  /** `owner` (a cluster): only while the run is that node's and not ended (the leader may have closed it) */
  write(runId: number, w: RunWrite, owner?: string): void;
  stepSpawned(runId: number, position: number, token: string, pid: number, pidStart: number): void;
  page(taskId: number, limit: number, before?: number): RunView[];
  filtered(taskId: number, limit: number, before: number | undefined, f: RunFilter): RunView[];
  previousFinished(taskId: number, id: number): { id: number; status: RunStatus } | null;
  liveStep(runId: number, position: number): LiveStep | null;
  /** deletes up to `batch` runs that ended before `cutoff`; which */
  deleteEndedBefore(cutoff: number, batch?: number): { id: number; task: string }[];
  /** each task's newest successful end (for metrics) */
  lastSuccesses(): Map<string, number>;

  // ---- several nodes (cluster/) ----
  /** ends a queued run cancelled, unless it has been given to a node or ended meanwhile */
  cancelQueued(runId: number, at: number): boolean;
  /**
   * A node is gone: its running runs end failed (their running steps with
   * `error`; their `always` steps stay pending for that node's next start),
   * and its queued runs go back to the queue. Which, by id.
   */
  closeNode(node: string, error: string, at: number): { ended: number[]; requeued: { id: number; task_id: number }[] };
  /** queued runs given to `node` (it starts them) */
  givenTo(node: string): number[];
  /** runs of `node` that ended with `always` steps still pending (closed by the leader while it was gone) */
  owedAlways(node: string): Run[];
  /** queued and running runs per pool ("" for none), from the store (a node that does not lead has no queue) */
  liveCounts(): Map<string, { running: number; queued: number }>;
  /** running runs per node */
  runningByNode(): Map<string, number>;
}

export interface PoolStore {
  list(): Pool[];
  get(name: string): Pool | null;
  /** false when the name is taken */
  insert(pool: Pool): boolean;
  /** false when there is no such pool */
  setSlots(name: string, slots: number): boolean;
  delete(name: string): boolean;
}

export interface VariableStore {
  all(): Variable[];
  get(key: string): Variable | null;
  /** false when the key is taken */
  insert(v: Variable): boolean;
  update(v: Variable): void;
  delete(key: string): boolean;
}

/** Server settings an admin changes at run time (not configuration, which is the environment). */
export interface Settings {
  /** where alert events are POSTed as JSON, besides e-mail */
  alert_webhook_url: string | null;
}

export interface SettingsStore {
  get(): Settings;
  set(patch: Partial<Settings>): Settings;
}

/** Who did what, when; never a secret value or a password. */
export interface AuditEntry {
  id: number;
  at: number;
  user: string | null;
  action: string;
  target: string | null;
  detail: string | null;
  /** the node that wrote it (null: written before Lightflow named nodes) */
  node: string | null;
}

export interface AuditStore {
  add(user: string | null, action: string, target?: string | null, detail?: string | null, at?: number): void;
  page(limit: number, before?: number): AuditEntry[];
}

/** Everything a server keeps, behind one object: the stores, and what only the store as a whole can do. */
export interface Stores {
  tasks: TaskStore;
  runs: RunStore;
  pools: PoolStore;
  variables: VariableStore;
  settings: SettingsStore;
  audit: AuditStore;
  /** which store this is (backup and /api/alive say it) */
  readonly kind: "sqlite" | "postgres";
  /** hears the store becoming unavailable (false) and coming back (true); absent where it cannot go away (SQLite) */
  onAvailability?(listener: (up: boolean) => void): () => void;
  /** throws StoreUnavailable when the store cannot be reached now (/api/alive) */
  ping(): void;
  /** `fn`'s writes, all or none */
  transaction<T>(fn: () => T): T;
  /** a consistent copy of everything into a new file (the backup's database), 0600 */
  snapshot(file: string): void;
  close(): void;
}
