// Tasks, steps and runs as the API takes and gives them.
import { Type } from "@sinclair/typebox";
import { t } from "elysia";
import { Name, STEP_NAME_PATTERN } from "./common.ts";
import { PoolInput, SetupVariable } from "./resources.ts";

const NoNul = (what: string, max: number) =>
  t.String({ maxLength: max, pattern: "^[^\\u0000]*$", error: `${what}: text of at most ${max} characters, without NUL bytes` });

export const StepInput = t.Object(
  {
    name: t.String({ pattern: STEP_NAME_PATTERN, error: "step name: 1 to 64 characters of A-Z a-z 0-9 _ . -" }),
    command: t.String({ minLength: 1, maxLength: 4096, pattern: "^[^\\u0000]+$", error: "command: a program name or path (1 to 4096 characters)" }),
    args: t.Optional(t.Array(NoNul("argument", 65536), { maxItems: 256, error: "args: a list of at most 256 strings" })),
    run_rule: t.Optional(t.Union([t.Literal("on_success"), t.Literal("always")], { error: 'run_rule: "on_success" or "always"' })),
    timeout_s: t.Optional(Type.Integer({ minimum: 1, maximum: 604800, error: "timeout_s: whole seconds from 1 to 604800 (7 days)" })),
    retries: t.Optional(Type.Integer({ minimum: 0, maximum: 10, error: "retries: a whole number from 0 to 10" })),
    retry_delay_s: t.Optional(Type.Integer({ minimum: 0, maximum: 86400, error: "retry_delay_s: whole seconds from 0 to 86400" })),
  },
  { additionalProperties: false },
);

const taskFields = {
  name: Name("name"),
  description: t.Optional(NoNul("description", 10_000)),
  cron: t.Optional(t.Nullable(t.String({ maxLength: 200, error: "cron: a 5-field CRON expression, or null" }))),
  enabled: t.Optional(t.Boolean({ error: "enabled: true or false" })),
  pool: t.Optional(t.Nullable(Name("pool"))),
  catchup: t.Optional(t.Boolean({ error: "catchup: true or false" })),
  start_deadline_s: t.Optional(
    t.Nullable(Type.Integer({ minimum: 1, maximum: 604800, error: "start_deadline_s: whole seconds from 1 to 604800, or null" })),
  ),
  alert_emails: t.Optional(
    t.Array(t.String({ maxLength: 254, pattern: "^[^\\s@]+@[^\\s@]+$", error: "alert_emails: e-mail addresses" }), {
      maxItems: 20,
      error: "alert_emails: at most 20 e-mail addresses",
    }),
  ),
  steps: t.Array(StepInput, { minItems: 1, maxItems: 50, error: "steps: 1 to 50 steps" }),
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
  },
  { additionalProperties: false },
);

export const DuplicateInput = t.Object({ name: Name("name") }, { additionalProperties: false });

export const StepOut = t.Object({
  name: t.String(),
  command: t.String(),
  args: t.Array(t.String()),
  run_rule: t.String(),
  timeout_s: t.Number(),
  retries: t.Number(),
  retry_delay_s: t.Number(),
});

export const TaskOut = t.Object({
  id: t.Number(),
  name: t.String(),
  description: t.String(),
  cron: t.Nullable(t.String()),
  enabled: t.Boolean(),
  pool: t.Nullable(t.String()),
  catchup: t.Boolean(),
  start_deadline_s: t.Nullable(t.Number()),
  alert_emails: t.Array(t.String()),
  next_fire_at: t.Nullable(t.String()),
  steps: t.Array(StepOut),
  created_at: t.String(),
  updated_at: t.String(),
});

export const StepRunOut = t.Object({
  position: t.Number(),
  name: t.String(),
  status: t.String(),
  attempt: t.Number(),
  retries: t.Number(),
  /** set while the step waits to try again: when the next attempt starts */
  retry_at: t.Nullable(t.String()),
  exit_code: t.Nullable(t.Number()),
  signal: t.Nullable(t.String()),
  error: t.Nullable(t.String()),
  started_at: t.Nullable(t.String()),
  ended_at: t.Nullable(t.String()),
  log_bytes: t.Number(),
});

export const RunOut = t.Object({
  id: t.Number(),
  task: t.String(),
  status: t.String(),
  trigger: t.String(),
  triggered_by: t.Nullable(t.String()),
  scheduled_for: t.Nullable(t.String()),
  queued_at: t.String(),
  started_at: t.Nullable(t.String()),
  ended_at: t.Nullable(t.String()),
  steps: t.Array(StepRunOut),
});
export type RunOut = typeof RunOut.static;
export type TaskOut = typeof TaskOut.static;

export const GridOut = t.Object({ tasks: t.Array(t.Object({ ...TaskOut.properties, runs: t.Array(RunOut) })) });

export const CronPreviewQuery = t.Object({
  expr: t.String({ maxLength: 200, error: "expr: a 5-field CRON expression" }),
  count: t.Optional(t.Numeric({ minimum: 1, maximum: 50, error: "count: a whole number from 1 to 50" })),
  from: t.Optional(t.String({ format: "date-time", error: "from: an ISO 8601 time such as 2026-11-22T03:00:00Z" })),
});

export const LogQuery = t.Object({
  offset: t.Optional(t.Numeric({ minimum: 0, error: "offset: a byte offset, 0 or more" })),
  tail: t.Optional(t.Numeric({ minimum: 0, error: "tail: a number of bytes, 0 or more" })),
  limit: t.Optional(t.Numeric({ minimum: 0, error: "limit: a number of bytes, 0 or more" })),
  follow: t.Optional(t.Union([t.Literal("1"), t.Literal("0"), t.Literal("true"), t.Literal("false")], { error: "follow: 1 or 0" })),
  attempt: t.Optional(t.Numeric({ minimum: 1, maximum: 11, error: "attempt: which try of the step, from 1" })),
});
