// The editor's form state and its conversion to and from the API's task.
// Arguments are edited as one shell-like line and stored as an array.
import type { ChainLink, RunRule, Task, TaskInput } from "../../types.ts";
// the API's own limits (plain numbers: no server code comes with them)
import { START_DEADLINE_S, STEP_RETRIES, STEP_TIMEOUT_S } from "../../../../server/schema/limits.ts";
import { joinArgs, splitArgs } from "../../lib/shellwords.ts";
import { paramsFromForm, paramsToForm, type ParamForm } from "./params.ts";

export interface StepForm {
  key: number;
  /** the step's other fields, which this editor does not show: sent back unchanged */
  extra: Record<string, unknown>;
  name: string;
  command: string;
  args: string;
  run_rule: RunRule;
  timeout_s: string;
  retries: string;
  retry_delay_s: string;
}

export interface TaskForm {
  name: string;
  description: string;
  cron: string;
  enabled: boolean;
  pool: string;
  catchup: boolean;
  /** seconds; empty: no deadline */
  start_deadline_s: string;
  /** addresses separated by commas, spaces or lines */
  alert_emails: string;
  params: ParamForm[];
  /** IANA zone; empty: the server's */
  timezone: string;
  /** the tasks this one runs after */
  after: ChainLink[];
  steps: StepForm[];
  /** the task's other fields (newer than this editor): sent back unchanged, so a save never resets them */
  extra: Record<string, unknown>;
}

/** What the editor shows; anything else a task or step carries goes to `extra`. */
const TASK_SHOWN = new Set(["name", "description", "cron", "enabled", "pool", "catchup", "start_deadline_s", "alert_emails", "steps"]);
TASK_SHOWN.add("params");
TASK_SHOWN.add("timezone").add("after");
const TASK_READ_ONLY = new Set(["id", "next_fire_at", "created_at", "updated_at", "runs"]);
const STEP_SHOWN = new Set(["name", "command", "args", "run_rule", "timeout_s", "retries", "retry_delay_s"]);

const rest = (o: object, skip: (k: string) => boolean) => Object.fromEntries(Object.entries(o).filter(([k]) => !skip(k)));

/** Field path (as the API names it, e.g. `steps.0.command`) → message; "" is the form itself. */
export type Errors = Record<string, string>;

const seq = { n: 0 };

export const blankStep = (n: number): StepForm => ({
  key: ++seq.n,
  extra: {},
  name: n === 1 ? "main" : `step${n}`,
  command: "",
  args: "",
  run_rule: "on_success",
  timeout_s: "3600",
  retries: "0",
  retry_delay_s: "10",
});

export const blankTask = (): TaskForm => ({
  name: "",
  description: "",
  cron: "",
  enabled: true,
  pool: "",
  catchup: false,
  start_deadline_s: "",
  alert_emails: "",
  params: [],
  timezone: "",
  after: [],
  steps: [blankStep(1)],
  extra: {},
});

export const toForm = (t: Task): TaskForm => ({
  name: t.name,
  description: t.description,
  cron: t.cron ?? "",
  enabled: t.enabled,
  pool: t.pool ?? "",
  catchup: t.catchup,
  start_deadline_s: t.start_deadline_s === null || t.start_deadline_s === undefined ? "" : String(t.start_deadline_s),
  alert_emails: (t.alert_emails ?? []).join("\n"),
  params: paramsToForm(t.params ?? []),
  timezone: t.timezone ?? "",
  after: (t.after ?? []).map((l) => ({ ...l })),
  extra: rest(t, (k) => TASK_SHOWN.has(k) || TASK_READ_ONLY.has(k)),
  steps: t.steps.map((s) => ({
    key: ++seq.n,
    extra: rest(s, (k) => STEP_SHOWN.has(k)),
    name: s.name,
    command: s.command,
    args: joinArgs(s.args),
    run_rule: s.run_rule,
    timeout_s: String(s.timeout_s),
    retries: String(s.retries ?? 0),
    retry_delay_s: String(s.retry_delay_s ?? 10),
  })),
});

/** "12" → 12; anything else (empty, "1.5", "ten") → null. */
function wholeNumber(text: string): number | null {
  const t = text.trim();
  return /^\d+$/.test(t) ? Number(t) : null;
}

/** The addresses of a comma-, semicolon-, space- or line-separated list (the server checks each). */
export const splitEmails = (text: string) => text.split(/[\s,;]+/).filter(Boolean);

/** The arguments line's error, if it cannot be split. */
export function argsError(line: string): string | undefined {
  try {
    splitArgs(line);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Builds the API body, or the errors found before sending (the server checks the rest). */
export function fromForm(f: TaskForm): { task: TaskInput } | { errors: Errors } {
  const errors: Errors = {};
  const steps = f.steps.map((s, i) => {
    const bad = argsError(s.args);
    if (bad) errors[`steps.${i}.args`] = bad;
    const timeout = Number(s.timeout_s);
    if (!Number.isInteger(timeout) || timeout < STEP_TIMEOUT_S.min) errors[`steps.${i}.timeout_s`] = `Give a whole number of seconds, ${STEP_TIMEOUT_S.min} or more.`;
    // only "is it a whole number" here: the server checks the ranges and names the field
    const retries = wholeNumber(s.retries);
    if (retries === null) errors[`steps.${i}.retries`] = `Give a whole number from ${STEP_RETRIES.min} to ${STEP_RETRIES.max}.`;
    const delay = wholeNumber(s.retry_delay_s);
    if (delay === null) errors[`steps.${i}.retry_delay_s`] = "Give a whole number of seconds, 0 or more.";
    return {
      ...s.extra,
      name: s.name.trim(),
      command: s.command.trim(),
      args: bad ? [] : splitArgs(s.args),
      run_rule: s.run_rule,
      timeout_s: timeout,
      retries: retries ?? 0,
      retry_delay_s: delay ?? 0,
    };
  });
  const deadline = f.start_deadline_s.trim() === "" ? null : wholeNumber(f.start_deadline_s);
  // the range is checked here too: the server's answer for a nullable field names none ("expected union value")
  if (f.start_deadline_s.trim() !== "" && (deadline === null || deadline < START_DEADLINE_S.min || deadline > START_DEADLINE_S.max)) {
    errors.start_deadline_s = `Give a whole number of seconds from ${START_DEADLINE_S.min} to ${START_DEADLINE_S.max} (7 days), or leave it empty.`;
  }
  if (Object.keys(errors).length) return { errors };
  return {
    task: {
      ...f.extra,
      name: f.name.trim(),
      description: f.description,
      cron: f.cron.trim() || null,
      enabled: f.enabled,
      pool: f.pool || null,
      catchup: f.catchup,
      start_deadline_s: deadline,
      alert_emails: splitEmails(f.alert_emails),
      params: paramsFromForm(f.params),
      timezone: f.timezone || null,
      after: f.after.map((l) => ({ task: l.task, when: l.when })),
      steps,
    },
  };
}

/** `steps[0].command` and `/steps/0/command` → `steps.0.command`. */
export const fieldKey = (field: string) => field.replace(/^\//, "").replace(/\[(\d+)\]/g, ".$1").replace(/\//g, ".");
