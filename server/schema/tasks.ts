// Tasks, steps and runs as the API takes and gives them.
import { Type } from "@sinclair/typebox";
import { t } from "elysia";
import { Name, OneOf, RunStatus, STEP_NAME_PATTERN } from "./common.ts";
import { RETRY_DELAY_S, START_DEADLINE_S, STEP_RETRIES, STEP_TIMEOUT_S, STEPS_PER_TASK } from "./limits.ts";
import { PARAM_CHOICES, PARAM_NAME, PARAM_VALUE_BYTES, PARAMS_PER_TASK } from "./limits.ts";
import { PoolInput, SetupVariable } from "./resources.ts";

export { RunStatus } from "./common.ts";
export const RunRule = OneOf(["on_success", "always"]);
export type RunRule = typeof RunRule.static;
/**
 * What queued a run: its CRON, a person or token, the catch-up after downtime,
 * a retry of a run from its failed step, or the end of a run it follows (`after`).
 */
export const Trigger = OneOf(["schedule", "manual", "catchup", "retry", "after"]);
export type Trigger = typeof Trigger.static;
/** How a run of the upstream task must end for a chained run to be queued: success; not success (failed, timed out, cancelled); either. */
export const ChainWhen = OneOf(["success", "failed", "finished"]);
export type ChainWhen = typeof ChainWhen.static;
export const AFTER_MAX = 20;
/** One upstream of a task: when a run of `task` ends as `when` says, one run of this task is queued. */
export const ChainLink = t.Object(
  {
    task: Name("after.task"),
    when: t.Union([t.Literal("success"), t.Literal("failed"), t.Literal("finished")], { error: 'after.when: "success", "failed" or "finished"' }),
  },
  {
    additionalProperties: false,
    description:
      'When a run of `task` ends as `when` says ("success"; "failed": any end but success, cancelled included; "finished": any end), one run of this task is queued with trigger "after".',
  },
);
export type ChainLink = typeof ChainLink.static;
const TIMEZONE_PATTERN = "^[A-Za-z][A-Za-z0-9_+\\-]*(/[A-Za-z0-9_+\\-]+)*$";
/** An IANA zone name (Europe/Berlin), or null for the server's LIGHTFLOW_TIMEZONE; that the zone exists is checked in engine/taskdef.ts. */
export const TimezoneField = t.Nullable(
  t.String({ maxLength: 64, pattern: TIMEZONE_PATTERN, error: "timezone: an IANA time zone name such as Europe/Berlin, or null for the server's zone" }),
  { description: "The IANA zone the task's CRON, catch-up and next_fire_at are read in; null: the server's LIGHTFLOW_TIMEZONE." },
);

export const StepStatus = OneOf(["pending", "running", "success", "skipped", "failed", "timed_out", "cancelled", "not_run"]);
export type StepStatus = typeof StepStatus.static;

/** run_as: a Unix user name (checked against the system when saved). */
const RunAs = (what: string) =>
  t.Optional(
    t.Nullable(
      t.String({ maxLength: 32, pattern: "^[A-Za-z_][A-Za-z0-9_.-]*\\$?$", error: `${what}: a Unix user name (up to 32 characters of A-Z a-z 0-9 _ . -), or null` }),
    ),
  );

const NoNul = (what: string, max: number) =>
  t.String({ maxLength: max, pattern: "^[^\\u0000]*$", error: `${what}: text of at most ${max} characters, without NUL bytes` });

export const StepInput = t.Object(
  {
    name: t.String({ pattern: STEP_NAME_PATTERN, error: "step name: 1 to 64 characters of A-Z a-z 0-9 _ . -" }),
    command: t.String({ minLength: 1, maxLength: 4096, pattern: "^[^\\u0000]+$", error: "command: a program name or path (1 to 4096 characters)" }),
    args: t.Optional(t.Array(NoNul("argument", 65536), { maxItems: 256, error: "args: a list of at most 256 strings" })),
    run_rule: t.Optional(t.Union([t.Literal("on_success"), t.Literal("always")], { error: 'run_rule: "on_success" or "always"' })),
    timeout_s: t.Optional(
      Type.Integer({
        minimum: STEP_TIMEOUT_S.min,
        maximum: STEP_TIMEOUT_S.max,
        error: `timeout_s: whole seconds from ${STEP_TIMEOUT_S.min} to ${STEP_TIMEOUT_S.max} (7 days)`,
      }),
    ),
    retries: t.Optional(
      Type.Integer({ minimum: STEP_RETRIES.min, maximum: STEP_RETRIES.max, error: `retries: a whole number from ${STEP_RETRIES.min} to ${STEP_RETRIES.max}` }),
    ),
    retry_delay_s: t.Optional(
      Type.Integer({
        minimum: RETRY_DELAY_S.min,
        maximum: RETRY_DELAY_S.max,
        error: `retry_delay_s: whole seconds from ${RETRY_DELAY_S.min} to ${RETRY_DELAY_S.max}`,
      }),
    ),
    run_as: RunAs("run_as"),
  },
  { additionalProperties: false },
);

/** A parameter's value, default or choice: text without NUL (its byte size is checked where it is used, engine/params.ts). */
const ParamValue = (what: string) =>
  t.String({ maxLength: PARAM_VALUE_BYTES, pattern: "^[^\\u0000]*$", error: `${what}: text of at most ${PARAM_VALUE_BYTES} bytes, without NUL` });

/** One parameter a task declares: an environment variable of every step of a run, set when the run is triggered. */
export const ParamInput = t.Object(
  {
    name: t.String({ pattern: PARAM_NAME, maxLength: 64, error: "name: a parameter name in capitals, such as DAYS or TARGET_HOST (A-Z, 0-9, _)" }),
    /** without one the parameter is required: every manual trigger must give it */
    default: t.Optional(ParamValue("default")),
    description: t.Optional(NoNul("description", 1000)),
    /** when set, the only values allowed (the Run form offers them as a list) */
    choices: t.Optional(t.Array(ParamValue("choice"), { minItems: 1, maxItems: PARAM_CHOICES, error: `choices: a list of 1 to ${PARAM_CHOICES} values` })),
  },
  { additionalProperties: false },
);
export type ParamInput = typeof ParamInput.static;

/** POST /api/tasks/:task/runs's optional body: the run's parameter values by name. */
export const TriggerInput = t.Object(
  {
    params: t.Optional(
      // sizes and NUL are checked by the engine, whose answer names the parameter (params.DAYS)
      t.Record(t.String({ maxLength: 64 }), t.String({ error: "params: each value is text" }), { error: "params: an object of parameter names to text values" }),
    ),
  },
  { additionalProperties: false },
);
export type TriggerInput = typeof TriggerInput.static;

const taskFields = {
  name: Name("name"),
  description: t.Optional(NoNul("description", 10_000)),
  cron: t.Optional(t.Nullable(t.String({ maxLength: 200, error: "cron: a 5-field CRON expression, or null" }))),
  enabled: t.Optional(t.Boolean({ error: "enabled: true or false" })),
  pool: t.Optional(t.Nullable(Name("pool"))),
  catchup: t.Optional(t.Boolean({ error: "catchup: true or false" })),
  start_deadline_s: t.Optional(
    t.Nullable(
      Type.Integer({
        minimum: START_DEADLINE_S.min,
        maximum: START_DEADLINE_S.max,
        error: `start_deadline_s: whole seconds from ${START_DEADLINE_S.min} to ${START_DEADLINE_S.max}, or null`,
      }),
    ),
  ),
  alert_emails: t.Optional(
    t.Array(t.String({ maxLength: 254, pattern: "^[^\\s@]+@[^\\s@]+$", error: "alert_emails: e-mail addresses" }), {
      maxItems: 20,
      error: "alert_emails: at most 20 e-mail addresses",
    }),
  ),
  params: t.Optional(t.Array(ParamInput, { maxItems: PARAMS_PER_TASK, error: `params: at most ${PARAMS_PER_TASK} parameters` })),
  run_as: RunAs("run_as"),
  after: t.Optional(t.Array(ChainLink, { maxItems: AFTER_MAX, error: `after: a list of at most ${AFTER_MAX} {"task", "when"} links` })),
  timezone: t.Optional(TimezoneField),
  runs_on: t.Optional(
    t.Nullable(
      t.String({ maxLength: 63, pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$", error: "runs_on: a node name or label (letters, digits, . _ -), or null for any node" }),
      { description: "Runs only on the node of this name, or on the nodes with this label (LIGHTFLOW_NODE_LABELS); null: any node." },
    ),
  ),
  steps: t.Array(StepInput, {
    minItems: STEPS_PER_TASK.min,
    maxItems: STEPS_PER_TASK.max,
    error: `steps: ${STEPS_PER_TASK.min} to ${STEPS_PER_TASK.max} steps`,
  }),
};

export const TaskInput = t.Object(taskFields, { additionalProperties: false });
export type TaskInput = typeof TaskInput.static;

/** The tasks-as-code file (GET /api/export, POST /api/import). */
export const SetupFileSchema = t.Object(
  {
    lightflow: Type.Integer({ minimum: 1, error: "lightflow: the file's format version (1)" }),
    pools: t.Optional(t.Array(PoolInput, { maxItems: 1000, error: "pools: a list of pools" })),
    variables: t.Optional(t.Array(SetupVariable, { maxItems: 10_000, error: "variables: a list of variables" })),
    tasks: t.Optional(t.Array(TaskInput, { maxItems: 10_000, error: "tasks: a list of tasks" })),
  },
  { additionalProperties: false },
);

export const TaskPatch = t.Object(
  {
    enabled: taskFields.enabled,
    cron: taskFields.cron,
    pool: taskFields.pool,
    description: taskFields.description,
    catchup: taskFields.catchup,
    start_deadline_s: taskFields.start_deadline_s,
    alert_emails: taskFields.alert_emails,
    after: taskFields.after,
    timezone: taskFields.timezone,
    runs_on: taskFields.runs_on,
  },
  { additionalProperties: false },
);

export type SetupFile = typeof SetupFileSchema.static;
export type TaskPatch = typeof TaskPatch.static;

export const DuplicateInput = t.Object({ name: Name("name") }, { additionalProperties: false });

/** One line of POST /api/import's answer. */
export const ImportChangeOut = t.Object({
  kind: OneOf(["pool", "variable", "task"]),
  name: t.String(),
  action: OneOf(["create", "update", "unchanged", "kept", "skipped"]),
  detail: t.Optional(t.String()),
});
export type ImportChangeOut = typeof ImportChangeOut.static;
export const ImportResultOut = t.Object({ dry_run: t.Boolean(), changes: t.Array(ImportChangeOut) });
export type ImportResultOut = typeof ImportResultOut.static;

export const StepOut = t.Object({
  name: t.String(),
  command: t.String(),
  args: t.Array(t.String()),
  run_rule: RunRule,
  timeout_s: Type.Integer(),
  /** tries again after a failure or timeout, up to this many times */
  retries: Type.Integer(),
  /** seconds to wait before each new try */
  retry_delay_s: Type.Integer(),
  /** the Unix user this step runs as; null: the task's, else the server's */
  run_as: t.Nullable(t.String()),
});
export type StepOut = typeof StepOut.static;

export const TaskOut = t.Object({
  id: Type.Integer(),
  name: t.String(),
  description: t.String(),
  cron: t.Nullable(t.String()),
  enabled: t.Boolean(),
  pool: t.Nullable(t.String()),
  catchup: t.Boolean(),
  /** a scheduled run not started this many seconds after its fire time sends a did_not_start alert; null: never */
  start_deadline_s: t.Nullable(Type.Integer()),
  /** besides the users who opted in, these addresses get this task's alerts */
  alert_emails: t.Array(t.String()),
  /** the Unix user the steps run as; null: the server's own */
  run_as: t.Nullable(t.String()),
  /** the tasks whose runs' ends queue a run of this one */
  after: t.Array(t.Object({ task: t.String(), when: ChainWhen })),
  /** the zone its CRON is read in; null: the server's (LIGHTFLOW_TIMEZONE) */
  timezone: t.Nullable(t.String()),
  /** the node name or label its runs must run on; null: any node */
  runs_on: t.Nullable(t.String()),
  /** null when disabled or without cron */
  next_fire_at: t.Nullable(t.String()),
  /** what a manual trigger may set; scheduled runs take the defaults */
  params: t.Array(ParamInput),
  steps: t.Array(StepOut),
  created_at: t.String(),
  updated_at: t.String(),
});

export const StepRunOut = t.Object({
  position: Type.Integer(),
  name: t.String(),
  status: StepStatus,
  /** which try this is (each has its own log); counts from 1 */
  attempt: Type.Integer(),
  /** how many times the step may be tried again: `retries + 1` attempts at most */
  retries: Type.Integer(),
  /** set while the step waits to try again: when the next attempt starts */
  retry_at: t.Nullable(t.String()),
  exit_code: t.Nullable(Type.Integer()),
  signal: t.Nullable(t.String()),
  error: t.Nullable(t.String()),
  started_at: t.Nullable(t.String()),
  ended_at: t.Nullable(t.String()),
  log_bytes: Type.Integer(),
  /** a step a retry did not run again (status `skipped`): the run in which it was done */
  done_in: t.Nullable(Type.Integer()),
});
export type StepRunOut = typeof StepRunOut.static;

export const RunOut = t.Object({
  id: Type.Integer(),
  task: t.String(),
  status: RunStatus,
  trigger: Trigger,
  triggered_by: t.Nullable(t.String()),
  scheduled_for: t.Nullable(t.String()),
  queued_at: t.String(),
  started_at: t.Nullable(t.String()),
  ended_at: t.Nullable(t.String()),
  /** the values of the task's parameters this run has, as its steps see them */
  params: t.Record(t.String(), t.String()),
  /** the run this one retries from its first step that did not succeed (trigger `retry`) */
  retry_of: t.Nullable(Type.Integer()),
  /** the node that runs or ran it; null while it waits for one */
  node: t.Nullable(t.String()),
  steps: t.Array(StepRunOut),
});
export type RunOut = typeof RunOut.static;
export type TaskOut = typeof TaskOut.static;

export const GridTaskOut = t.Object({ ...TaskOut.properties, runs: t.Array(RunOut) });
export type GridTaskOut = typeof GridTaskOut.static;
export const GridOut = t.Object({ tasks: t.Array(GridTaskOut) });
export type GridOut = typeof GridOut.static;

export const CronPreviewQuery = t.Object({
  expr: t.String({ maxLength: 200, error: "expr: a 5-field CRON expression" }),
  count: t.Optional(t.Numeric({ minimum: 1, maximum: 50, error: "count: a whole number from 1 to 50" })),
  from: t.Optional(t.String({ format: "date-time", error: "from: an ISO 8601 time such as 2026-11-22T03:00:00Z" })),
  /** the zone to read the expression in; by default the server's */
  timezone: t.Optional(
    t.String({ maxLength: 64, error: "timezone: an IANA time zone name such as Europe/Berlin", description: "Read the expression in this IANA zone (a task's own); by default the server's." }),
  ),
});

/** A fire time that falls in a DST change of the server's timezone. */
export const CronNoteOut = t.Object({ at: t.String(), kind: OneOf(["skipped", "repeated"]), message: t.String() });
export type CronNoteOut = typeof CronNoteOut.static;
export const CronPreviewOut = t.Object({
  next: t.Array(t.String()),
  timezone: t.String(),
  notes: t.Array(CronNoteOut),
  /** why fewer times than asked came back */
  reason: t.Optional(t.String()),
});
export type CronPreviewOut = typeof CronPreviewOut.static;

export const LogQuery = t.Object({
  offset: t.Optional(t.Numeric({ minimum: 0, error: "offset: a byte offset, 0 or more" })),
  tail: t.Optional(t.Numeric({ minimum: 0, error: "tail: a number of bytes, 0 or more" })),
  limit: t.Optional(t.Numeric({ minimum: 0, error: "limit: a number of bytes, 0 or more" })),
  follow: t.Optional(t.Union([t.Literal("1"), t.Literal("0"), t.Literal("true"), t.Literal("false")], { error: "follow: 1 or 0" })),
  attempt: t.Optional(t.Numeric({ minimum: 1, maximum: 11, error: "attempt: which try of the step, from 1" })),
});
