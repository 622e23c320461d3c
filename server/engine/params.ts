// Task parameters: the rules of their declaration (one task) and of the values
// a run gets (one trigger). A run's values become environment variables of
// every step of it (runner.ts), so names follow environment variable rules and
// values are text without NUL.
import { PARAM_VALUE_BYTES } from "../schema/limits.ts";
import type { DefinitionProblem } from "./taskdef.ts";
import { isReservedVariable, type ParamDef, type TaskDef } from "./types.ts";

export type ParamValues = Record<string, string>;

/** Why a value cannot be a parameter's (without quoting it: it may be long), or null. */
function valueProblem(v: string): string | null {
  if (v.includes("\0")) return "contains a NUL byte";
  const bytes = Buffer.byteLength(v, "utf8");
  if (bytes > PARAM_VALUE_BYTES) return `is ${bytes} bytes long (at most ${PARAM_VALUE_BYTES})`;
  return null;
}

/**
 * The declaration's rules beyond its schema: unique names, none Lightflow sets
 * itself, defaults and choices that are valid values, a default among the
 * choices, and a default for every parameter of a task with a schedule (its
 * scheduled runs have nobody to ask).
 */
export function paramsProblem(def: Pick<TaskDef, "params" | "cron">): DefinitionProblem | null {
  const names = def.params.map((p) => p.name);
  for (const [i, p] of def.params.entries()) {
    const at = `params.${i}`;
    if (isReservedVariable(p.name)) return { field: `${at}.name`, message: `${p.name} is reserved (PATH, PYTHONPATH, HOME and LIGHTFLOW_* are set by Lightflow)` };
    if (names.indexOf(p.name) !== i) return { field: `${at}.name`, message: `parameter names must be unique within the task ("${p.name}" is used twice)` };
    for (const [j, c] of (p.choices ?? []).entries()) {
      const wrong = valueProblem(c);
      if (wrong) return { field: `${at}.choices.${j}`, message: `this choice ${wrong}` };
      if (p.choices!.indexOf(c) !== j) return { field: `${at}.choices.${j}`, message: `"${c}" is listed twice` };
    }
    if (p.default !== undefined) {
      const wrong = valueProblem(p.default);
      if (wrong) return { field: `${at}.default`, message: `the default ${wrong}` };
      if (p.choices && !p.choices.includes(p.default)) return { field: `${at}.default`, message: `the default must be one of the choices (${p.choices.join(", ")})` };
    } else if (def.cron) {
      return { field: `${at}.default`, message: `${p.name} needs a default: the task has a schedule, and a scheduled run takes every parameter's default` };
    }
  }
  return null;
}

/** The values a run gets when nobody gives any (scheduled, catch-up and chained runs): each parameter's default. */
export function defaultParams(defs: readonly ParamDef[]): ParamValues {
  const out: ParamValues = {};
  for (const p of defs) if (p.default !== undefined) out[p.name] = p.default;
  return out;
}

/** A trigger's values refused: the field (`params.NAME`) and why. */
export interface ParamProblem {
  ok: false;
  field: string;
  message: string;
}

/**
 * A manual trigger's values checked against the task's parameters and
 * completed with their defaults. `secretKeys`: variables a parameter may not
 * shadow (a step would see the parameter instead of the secret, and the log
 * would no longer mask it).
 */
export function resolveParams(defs: readonly ParamDef[], given: ParamValues, secretKeys: ReadonlySet<string>): { ok: true; values: ParamValues } | ParamProblem {
  const byName = new Map(defs.map((p) => [p.name, p]));
  for (const name of Object.keys(given)) {
    if (!byName.has(name)) {
      const known = defs.length ? `its parameters are ${defs.map((p) => p.name).join(", ")}` : "it has no parameters";
      return { ok: false, field: `params.${name}`, message: `the task has no parameter ${name} (${known})` };
    }
  }
  const out: ParamValues = {};
  for (const p of defs) {
    const field = `params.${p.name}`;
    const v = Object.hasOwn(given, p.name) ? given[p.name]! : p.default;
    if (v === undefined) return { ok: false, field, message: `${p.name} is required (it has no default)` };
    const wrong = valueProblem(v);
    if (wrong) return { ok: false, field, message: `the value of ${p.name} ${wrong}` };
    if (p.choices && !p.choices.includes(v)) return { ok: false, field, message: `${p.name} must be one of: ${p.choices.join(", ")}` };
    if (secretKeys.has(p.name)) return { ok: false, field, message: `${p.name} is also a secret variable, which a parameter may not replace; rename the parameter or the variable` };
    out[p.name] = v;
  }
  return { ok: true, values: out };
}

/** Whether two runs have the same values (a trigger that repeats a queued run's gets that run). */
export function sameParams(a: ParamValues, b: ParamValues): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

/** "DAYS=3, TARGET=db1" for the audit log (values cut short: it is a line, not a record). */
export function paramsText(p: ParamValues): string {
  return Object.entries(p)
    .map(([k, v]) => `${k}=${v.length > 80 ? `${v.slice(0, 80)}…` : v}`)
    .join(", ");
}
