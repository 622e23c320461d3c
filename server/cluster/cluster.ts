// Nodes: the processes that share one store. On SQLite there is one node, the
// process itself, always the leader (SoloCluster). On PostgreSQL every server
// is a node of the cluster in postgres.ts: one of them leads (schedules, places
// queued runs, closes the runs of a node that died), all of them run steps and
// serve the API; they tell each other what changed over LISTEN/NOTIFY.
import type { Config } from "../config.ts";
import type { EngineEvent } from "../engine/events.ts";

export interface NodeInfo {
  name: string;
  labels: string[];
  /** where the other nodes reach it (LIGHTFLOW_NODE_URL, else its own address) */
  url: string | null;
  /** its LIGHTFLOW_GLOBAL_CONCURRENCY: how many runs it takes at once */
  capacity: number;
  started_at: number;
  last_seen_at: number;
  leader: boolean;
  alive: boolean;
}

/** What one node tells the others (after the transaction it belongs to commits). */
export type ClusterMessage =
  /** what happened on the bus of the node that sends it */
  | { kind: "event"; event: EngineEvent }
  /** run `id` changed, too big to carry: read it */
  | { kind: "run"; id: number }
  /** the leader gave queued run `run` to `node` */
  | { kind: "assign"; run: number; node: string }
  /** someone asked to cancel run `run`, which `node` runs */
  | { kind: "cancel"; run: number; node: string }
  /** definitions changed: read them again */
  | { kind: "changed"; what: "tasks" | "pools" | "variables" }
  /** a node started or stopped, or the lead moved */
  | { kind: "nodes" }
  /** a node that heard nothing for a while checks that its listening connection still hears (postgres.ts; never reaches the engine) */
  | { kind: "ping" }
  /** the scripts changed up to `version` (scripts/shared.ts): write them into this node's directory */
  | { kind: "scripts"; version: number }
  /** a package job for each node (`jobs`: node → job id): each runs its own (packages/shared.ts) */
  | { kind: "packages"; action: "install" | "uninstall"; requirement: string; jobs: Record<string, string> }
  /** node's package job `id` went on: output `data` at `offset`, or its new status */
  | { kind: "package_job"; id: string; offset?: number; data?: string; status?: "running" | "success" | "failed" }
  /** someone's access ended (sign-out, revoked token, user disabled…): check the streams held here (auth/watch.ts) */
  | { kind: "access" }
  /** step logs went or moved: every node does the same to the logs it holds (cluster/logs.ts) */
  | LogsMessage;

export type LogsMessage =
  | { kind: "logs"; op: "removeRun"; task: string; run: number }
  | { kind: "logs"; op: "removeTask"; task: string }
  | { kind: "logs"; op: "renameTask"; from: string; to: string };

/** What the engine does as the cluster's roles change. */
export interface Roles {
  /**
   * This node leads from now: schedule, place the queued runs, catch up.
   * `handover`: when the previous leader was last known to lead (a fire time
   * after it was missed in the hand-over); null at a cold start.
   */
  lead(handover: number | null): void;
  /** This node no longer leads (another took over): stop scheduling and placing. */
  follow(): void;
  /** The leader found node `name` gone: close its runs, place its queued ones again; false when it could not (no longer leading). */
  nodeLost(name: string): boolean;
  /**
   * The leader found this node gone while it could not reach the database,
   * and closed its runs: stop what still runs of them here, then run their
   * `always` steps.
   */
  rejoined(): void;
  /** Another node said something. */
  message(m: ClusterMessage, from: string): void;
  /** Messages may have been missed (the listening connection came back): read the state again. */
  resync(): void;
}

export interface Cluster {
  readonly name: string;
  readonly labels: readonly string[];
  /** several nodes may share the store (PostgreSQL) */
  readonly shared: boolean;
  /** every node known, alive or not, by name (read now) */
  nodes(): NodeInfo[];
  /** the live nodes as last seen (placement asks on every run: no read) */
  members(): readonly NodeInfo[];
  /** tells every other node (after the current transaction, if any, commits) */
  publish(m: ClusterMessage): void;
  /**
   * `fn` in a transaction that commits only while this node still leads (a
   * fire, an assignment): a leader that lost its lease while cut off writes
   * nothing. Null when it no longer leads (and `follow` has been called).
   */
  fenced<T>(fn: () => T): T | null;
  /** which lead of this node's is current (it grows at every hand-over); null when it does not lead */
  term(): number | null;
  /**
   * Gives queued run `runId` to `node`, as decided during lead `term`, in one
   * statement fenced like `fenced`: false when the run is no longer waiting
   * unassigned (cancelled, given); null when this node no longer leads, or
   * leads again since (a placement held up by an outage is not made under a
   * later lead, whose queue placed the run anew).
   */
  assign(runId: number, node: string, term: number | null): boolean | null;
  /** joins: takes the lead if it is free, starts listening */
  start(roles: Roles): Promise<void>;
  /** leaves: gives up the lead at once so another node takes over without waiting for the lease */
  stop(): void;
  /**
   * What the nodes show each other on their internal routes (reading another
   * node's step log: cluster/logs.ts); null on one node, which has no such routes.
   */
  secret(): string | null;
}

/** Whether a node may run a task whose `runs_on` is `runsOn` (a name or a label; null: any node). */
export function nodeMatches(runsOn: string | null | undefined, node: Pick<NodeInfo, "name" | "labels">): boolean {
  return !runsOn || node.name === runsOn || node.labels.includes(runsOn);
}

/** The one node of a SQLite store: it leads, and nobody else listens. */
export class SoloCluster implements Cluster {
  readonly name: string;
  readonly labels: readonly string[];
  readonly shared = false;
  private readonly started = Date.now();

  constructor(private readonly config: Config, private readonly url: () => string | null) {
    this.name = config.nodeName;
    this.labels = config.nodeLabels;
  }

  nodes(): NodeInfo[] {
    const now = Date.now();
    return [
      { name: this.name, labels: [...this.labels], url: this.url(), capacity: this.config.globalConcurrency, started_at: this.started, last_seen_at: now, leader: true, alive: true },
    ];
  }

  members(): readonly NodeInfo[] {
    return this.nodes();
  }

  publish(): void {}

  fenced<T>(fn: () => T): T {
    return fn();
  }

  term(): number {
    return 1; // the one node leads, always
  }

  assign(): boolean {
    return false; // one node starts its runs itself
  }

  async start(roles: Roles): Promise<void> {
    roles.lead(null);
  }

  stop(): void {}

  secret(): null {
    return null;
  }
}
