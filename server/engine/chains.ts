// Chains: a task's `after` links, the rules they must keep (upstreams exist,
// no task listed twice, no cycle) and which ends of an upstream run queue a
// run of the task. The one place for these rules: the API, the setup import
// and the engine all ask here.
import type { TaskStore } from "./stores.ts";
import type { DefinitionProblem } from "./taskdef.ts";
import type { ChainLink, ChainWhen, Run, RunStatus, Task, Upstream } from "./types.ts";

/** A task as the chain rules see it: its name and the names it runs after. */
export interface ChainNode {
  name: string;
  after: readonly ChainLink[];
}

/**
 * Whether `def` may keep its `after` links among `others` (every other task,
 * as they will be once `def` is saved). `renamedFrom`: the task's name before
 * this change, so other tasks' links to it (kept by id) count as links to its
 * new name.
 */
export function chainProblem(def: ChainNode, others: readonly ChainNode[], renamedFrom: string | null = null): DefinitionProblem | null {
  const rename = (n: string) => (n === renamedFrom ? def.name : n);
  const graph = new Map<string, string[]>(others.filter((o) => o.name !== def.name && o.name !== renamedFrom).map((o) => [o.name, o.after.map((l) => rename(l.task))]));
  for (const [i, link] of def.after.entries()) {
    if (link.task === def.name) return { field: `after.${i}.task`, message: `a task cannot run after itself ("${def.name}")` };
    if (!graph.has(link.task)) return { field: `after.${i}.task`, message: `no task named "${link.task}"` };
    if (def.after.findIndex((l) => l.task === link.task) !== i) return { field: `after.${i}.task`, message: `"${link.task}" is listed twice; use "finished" to run after any end` };
  }
  graph.set(def.name, def.after.map((l) => l.task));
  // a cycle through def: some upstream of def (walking `after` links) is def itself
  const path = cycleFrom(def.name, graph);
  if (path) return { field: "after", message: `these links would make a cycle: ${path.join(" → ")} (each runs after the next)` };
  return null;
}

/** A path of `after` links from `start` back to it, or null. */
function cycleFrom(start: string, graph: ReadonlyMap<string, readonly string[]>): string[] | null {
  const seen = new Set<string>();
  const walk = (name: string, path: string[]): string[] | null => {
    for (const up of graph.get(name) ?? []) {
      if (up === start) return [...path, up];
      if (seen.has(up)) continue;
      seen.add(up);
      const found = walk(up, [...path, up]);
      if (found) return found;
    }
    return null;
  };
  return walk(start, [start]);
}

/**
 * Whether a run that ended `status` queues the runs that follow with `when`.
 * "failed" is every end but success: failed (a step failed or timed out) and
 * cancelled. Steps that exit 75 (skipped) leave the run a success, so a run of
 * skipped steps counts as success, as the grid shows it.
 */
export function chainFires(when: ChainWhen, status: RunStatus): boolean {
  if (when === "finished") return true;
  return when === "success" ? status === "success" : status !== "success";
}

export interface FollowDeps {
  tasks: Pick<TaskStore, "followers" | "get">;
  hasQueuedRun(taskId: number): boolean;
  enqueue(task: Task, by: string, upstream: Upstream): void;
  log(msg: string): void;
}

/**
 * A run ended: each task that follows its task with a matching `when` gets one
 * run, unless its Auto toggle is off (nothing automatic starts it then) or it
 * already has a run waiting (that run stands for it, as with repeated manual
 * triggers).
 */
export function queueFollowers(run: Run, d: FollowDeps): void {
  for (const f of d.tasks.followers(run.task_id)) {
    if (!chainFires(f.when, run.status)) continue;
    const task = d.tasks.get(f.id);
    if (!task) continue;
    const by = `${run.task}#${run.id}`;
    if (!task.enabled) d.log(`task ${task.name}: not queued after ${by} (its Auto toggle is off)`);
    else if (d.hasQueuedRun(task.id)) d.log(`task ${task.name}: the run after ${by} was coalesced (a run is already queued)`);
    else d.enqueue(task, by, { task: run.task, run_id: run.id, status: run.status });
  }
}

/** What a chained run's steps see of the run that queued it. */
export function upstreamEnv(u: Upstream): Record<string, string> {
  return { LIGHTFLOW_UPSTREAM_TASK: u.task, LIGHTFLOW_UPSTREAM_RUN_ID: String(u.run_id), LIGHTFLOW_UPSTREAM_STATUS: u.status };
}

/**
 * Orders tasks so that each comes after the tasks it names in `after` (an
 * import creates upstreams first, since links are stored by id). Links to
 * tasks outside the list are ignored; the graph has no cycle (chainProblem).
 */
export function upstreamsFirst<T extends ChainNode>(tasks: readonly T[]): T[] {
  const byName = new Map(tasks.map((t) => [t.name, t]));
  const out: T[] = [];
  const done = new Set<string>();
  const visit = (t: T) => {
    if (done.has(t.name)) return;
    done.add(t.name);
    for (const l of t.after) {
      const up = byName.get(l.task);
      if (up) visit(up);
    }
    out.push(t);
  };
  tasks.forEach(visit);
  return out;
}
