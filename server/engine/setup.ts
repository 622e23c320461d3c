// Tasks as code: the whole setup (pools, non-secret variables, tasks) as one
// readable JSON file that can live in git, and its import with a dry run
// that lists what would change. Import creates and updates; it never deletes.
import { chainProblem, upstreamsFirst, type ChainNode } from "./chains.ts";
import { variableProblem } from "./executor.ts";
import { definitionOf, definitionProblem, withDefaults, type TaskInputLike } from "./taskdef.ts";
import { isReservedVariable, type Pool, type Task, type TaskDef, type Variable } from "./types.ts";

export const SETUP_VERSION = 1;

export interface SetupFile {
  lightflow: number;
  pools?: Pool[];
  variables?: { key: string; value?: string; secret?: boolean }[];
  tasks?: TaskInputLike[];
}

/** What a setup can be read from and written to: the running engine, or the stores alone (CLI). */
export interface SetupTarget {
  tasks(): Task[];
  pools(): Pool[];
  variables(): Variable[];
  createTask(def: TaskDef): void;
  replaceTask(id: number, def: TaskDef): void;
  putPool(pool: Pool, exists: boolean): void;
  putVariable(v: Variable, exists: boolean): void;
}

export interface Change {
  kind: "pool" | "variable" | "task";
  name: string;
  action: "create" | "update" | "unchanged" | "kept" | "skipped";
  detail?: string;
}

export class SetupError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

export function exportSetup(target: SetupTarget): SetupFile {
  return {
    lightflow: SETUP_VERSION,
    pools: target.pools().map((p) => ({ name: p.name, slots: p.slots })),
    // a secret's value never leaves the server: only its name, so an import knows it is expected
    variables: target.variables().map((v) => (v.secret ? { key: v.key, secret: true } : { key: v.key, value: v.value })),
    tasks: target.tasks().map(definitionOf),
  };
}

export interface Plan {
  changes: Change[];
  apply(): void;
}

/** Checks a (schema-valid) setup file against the current state; throws SetupError naming the field at fault. */
export function planImport(target: SetupTarget, file: SetupFile): Plan {
  if (file.lightflow !== SETUP_VERSION) throw new SetupError(`lightflow: this Lightflow reads setup files of version ${SETUP_VERSION}`, "lightflow");
  const changes: Change[] = [];
  const actions: (() => void)[] = [];
  const pools = new Map(target.pools().map((p) => [p.name, p]));
  const poolNames = new Set(pools.keys());
  (file.pools ?? []).forEach((p, i) => {
    const have = pools.get(p.name);
    if ((file.pools ?? []).findIndex((q) => q.name === p.name) !== i) throw new SetupError(`pools.${i}.name: "${p.name}" is listed twice`, `pools.${i}.name`);
    poolNames.add(p.name);
    if (!have) changes.push({ kind: "pool", name: p.name, action: "create" });
    else if (have.slots !== p.slots) changes.push({ kind: "pool", name: p.name, action: "update", detail: `slots ${have.slots} → ${p.slots}` });
    else return changes.push({ kind: "pool", name: p.name, action: "unchanged" });
    actions.push(() => target.putPool({ name: p.name, slots: p.slots }, !!have));
  });

  const vars = new Map(target.variables().map((v) => [v.key, v]));
  (file.variables ?? []).forEach((v, i) => {
    const have = vars.get(v.key);
    if (isReservedVariable(v.key)) throw new SetupError(`variables.${i}.key: ${v.key} is reserved (PATH, PYTHONPATH, HOME and LIGHTFLOW_* are set by Lightflow)`, `variables.${i}.key`);
    if (v.value === undefined) {
      if (!v.secret) throw new SetupError(`variables.${i}.value: a value is needed (only secrets may leave it out)`, `variables.${i}.value`);
      changes.push(have ? { kind: "variable", name: v.key, action: "kept", detail: "secret: its value stays" } : { kind: "variable", name: v.key, action: "skipped", detail: "secret without a value: set it on the Variables page" });
      return;
    }
    const next = { key: v.key, value: v.value, secret: v.secret ?? false };
    const problem = variableProblem(next);
    if (problem) throw new SetupError(`variables.${i}.value: ${problem}`, `variables.${i}.value`);
    if (have && have.value === next.value && have.secret === next.secret) return changes.push({ kind: "variable", name: v.key, action: "unchanged" });
    changes.push({ kind: "variable", name: v.key, action: have ? "update" : "create" });
    actions.push(() => target.putVariable(next, !!have));
  });

  const tasks = new Map(target.tasks().map((t) => [t.name, t]));
  const inFile = new Set<string>();
  const taskActions = new Map<string, () => void>();
  // the chains as they will be: the server's tasks, each replaced by the file's version when it has one
  const chains = new Map<string, ChainNode>(tasks);
  for (const raw of file.tasks ?? []) chains.set(raw.name, withDefaults(raw));
  (file.tasks ?? []).forEach((raw, i) => {
    if (inFile.has(raw.name)) throw new SetupError(`tasks.${i}.name: "${raw.name}" is listed twice`, `tasks.${i}.name`);
    inFile.add(raw.name);
    const def = withDefaults(raw);
    const problem = definitionProblem(def, (pool) => poolNames.has(pool));
    if (problem) throw new SetupError(`tasks.${i}.${problem.field}: ${problem.message}`, `tasks.${i}.${problem.field}`);
    const chain = chainProblem(def, [...chains.values()]);
    if (chain) throw new SetupError(`tasks.${i}.${chain.field}: ${chain.message}`, `tasks.${i}.${chain.field}`);
    const have = tasks.get(def.name);
    if (!have) {
      changes.push({ kind: "task", name: def.name, action: "create" });
      taskActions.set(def.name, () => target.createTask(def));
    } else if (JSON.stringify(definitionOf(have)) === JSON.stringify(definitionOf(def))) {
      changes.push({ kind: "task", name: def.name, action: "unchanged" });
    } else {
      const what = (Object.keys(definitionOf(def)) as (keyof ReturnType<typeof definitionOf>)[]).filter(
        (k) => JSON.stringify(definitionOf(have)[k]) !== JSON.stringify(definitionOf(def)[k]),
      );
      changes.push({ kind: "task", name: def.name, action: "update", detail: what.join(", ") });
      taskActions.set(def.name, () => target.replaceTask(have.id, def));
    }
  });
  // links are kept by id: a task's upstreams are written before it
  for (const t of upstreamsFirst([...chains.values()])) {
    const act = taskActions.get(t.name);
    if (act) actions.push(act);
  }
  for (const name of tasks.keys()) if (!inFile.has(name)) changes.push({ kind: "task", name, action: "kept", detail: "not in the file; import never deletes" });
  return { changes, apply: () => actions.forEach((a) => a()) };
}
