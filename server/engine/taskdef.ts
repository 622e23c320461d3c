// A task definition as people write it (API body, setup file: most fields
// optional) and as the engine keeps it (every field set). One place for the
// defaults, one for the shape that leaves the server.
import { cronProblem, cronText } from "./cron.ts";
import { paramsProblem } from "./params.ts";
import { runAsProblem } from "./runas.ts";
import type { ParamDef, StepDef, Task, TaskDef } from "./types.ts";
import { canonicalZone, timezoneProblem } from "./zones.ts";

/** A rule of a task definition that its schema cannot say, broken: the field at fault (relative to the task) and why. */
export interface DefinitionProblem {
  field: string;
  message: string;
}

/**
 * Everything a task definition must satisfy beyond its schema: a CRON that
 * parses and fires, a pool that exists, step names unique within the task. The
 * one place for these rules: the API and setup files both ask here.
 */
export function definitionProblem(def: TaskDef, poolExists: (name: string) => boolean): DefinitionProblem | null {
  const cron = def.cron ? cronProblem(def.cron) : null;
  if (cron) return { field: "cron", message: cron };
  const zone = def.timezone !== null ? timezoneProblem(def.timezone) : null;
  if (zone) return { field: "timezone", message: zone };
  if (def.pool && !poolExists(def.pool)) return { field: "pool", message: `no pool named "${def.pool}"` };
  // run_as: a user that exists, and one this server may switch to
  const runAs = def.run_as ? runAsProblem(def.run_as) : null;
  if (runAs) return { field: "run_as", message: runAs };
  const stepRunAs = def.steps.findIndex((s) => s.run_as && runAsProblem(s.run_as));
  if (stepRunAs !== -1) return { field: `steps.${stepRunAs}.run_as`, message: runAsProblem(def.steps[stepRunAs]!.run_as!)! };
  const names = def.steps.map((s) => s.name);
  const dup = names.findIndex((n, j) => names.indexOf(n) !== j);
  if (dup !== -1) return { field: `steps.${dup}.name`, message: `step names must be unique within the task ("${names[dup]}" is used twice)` };
  const params = paramsProblem(def);
  if (params) return params;
  return null;
}

export type TaskInputLike = Partial<Omit<TaskDef, "steps">> & {
  name: string;
  steps: (Partial<StepDef> & { name: string; command: string })[];
};

export function withDefaults(t: TaskInputLike): TaskDef {
  return {
    name: t.name,
    description: t.description ?? "",
    cron: cronText(t.cron),
    enabled: t.enabled ?? true,
    pool: t.pool ?? null,
    catchup: t.catchup ?? false,
    start_deadline_s: t.start_deadline_s ?? null,
    alert_emails: t.alert_emails ?? [],
    params: (t.params ?? []).map(paramOf),
    ...(t.run_as ? { run_as: t.run_as } : {}),
    after: (t.after ?? []).map((l) => ({ task: l.task, when: l.when })),
    timezone: t.timezone ? canonicalZone(t.timezone) : null,
    ...(t.runs_on ? { runs_on: t.runs_on } : {}),
    steps: t.steps.map((s) => ({
      name: s.name,
      command: s.command,
      args: s.args ?? [],
      run_rule: s.run_rule ?? "on_success",
      timeout_s: s.timeout_s ?? 3600,
      retries: s.retries ?? 0,
      retry_delay_s: s.retry_delay_s ?? 10,
      ...(s.run_as ? { run_as: s.run_as } : {}),
    })),
  };
}

/** Only the definition's fields, in a fixed order (a task from the store carries ids and times too). */
export function definitionOf(t: TaskDef): TaskDef {
  return {
    name: t.name,
    description: t.description,
    cron: t.cron,
    enabled: t.enabled,
    pool: t.pool,
    catchup: t.catchup,
    start_deadline_s: t.start_deadline_s,
    alert_emails: t.alert_emails,
    params: t.params.map(paramOf),
    // run_as only when set, so setup files without it stay as they were
    ...(t.run_as ? { run_as: t.run_as } : {}),
    after: t.after.map((l) => ({ task: l.task, when: l.when })),
    timezone: t.timezone,
    // runs_on only when set, like run_as
    ...(t.runs_on ? { runs_on: t.runs_on } : {}),
    steps: t.steps.map((s) => ({
      name: s.name,
      command: s.command,
      args: s.args,
      run_rule: s.run_rule,
      timeout_s: s.timeout_s,
      retries: s.retries,
      retry_delay_s: s.retry_delay_s,
      ...(s.run_as ? { run_as: s.run_as } : {}),
    })),
  };
}

/** A parameter with only the fields it has, in a fixed order (exports compare as text). */
function paramOf(p: ParamDef): ParamDef {
  return {
    name: p.name,
    ...(p.default !== undefined ? { default: p.default } : {}),
    ...(p.description ? { description: p.description } : {}),
    ...(p.choices ? { choices: [...p.choices] } : {}),
  };
}

/**
 * What the engine keeps of a task besides the store (the scheduler: cron,
 * enabled, zone; the queue: pool, runs_on; the chains: name, after), as one
 * string: another node's save that leaves it alone needs nothing read again.
 */
export function definitionKey(t: Task): string {
  return JSON.stringify([t.name, t.cron, t.enabled, t.timezone, t.pool, t.runs_on ?? null, t.after]);
}
