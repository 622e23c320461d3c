// The domain: what a task, a run and a step are. Field names follow the API
// (snake_case) so the HTTP layer only has to turn times into ISO strings.

// the status and trigger words are the API's own: one list each, in server/schema/
import type { RunStatus } from "../schema/common.ts";
import type { ChainWhen, RunRule, StepStatus, Trigger } from "../schema/tasks.ts";
export type { ChainWhen, RunRule, RunStatus, StepStatus, Trigger };

export const FINISHED_RUN: ReadonlySet<RunStatus> = new Set(["success", "failed", "cancelled"]);

export interface StepDef {
  name: string;
  command: string;
  args: string[];
  run_rule: RunRule;
  timeout_s: number;
  /** how often a failed or timed-out step is tried again (0-10) */
  retries: number;
  retry_delay_s: number;
  /** the Unix user the step runs as (null or absent: the task's, else the server's); on a step run, the one it runs as */
  run_as?: string | null;
}

/** A parameter a task declares: set per run, seen by every step as an environment variable. */
export interface ParamDef {
  name: string;
  /** absent: required on every manual trigger */
  default?: string;
  description?: string;
  /** present: the only values allowed */
  choices?: string[];
}

export interface TaskDef {
  name: string;
  description: string;
  cron: string | null;
  enabled: boolean;
  pool: string | null;
  catchup: boolean;
  /** seconds after its fire time by which a scheduled run must have started, or null */
  start_deadline_s: number | null;
  /** addresses alerted for this task besides the users who opted in */
  alert_emails: string[];
  params: ParamDef[];
  /** the Unix user the task's steps run as, unless a step says otherwise (null or absent: the server's own) */
  run_as?: string | null;
  /** upstream tasks by name (stored by id, so a rename is followed): a run of one ending as `when` says queues a run of this task */
  after: ChainLink[];
  /** IANA zone its CRON is read in; null: the server's (LIGHTFLOW_TIMEZONE) */
  timezone: string | null;
  /** the node name or label its runs must run on (null or absent: any node) */
  runs_on?: string | null;
  steps: StepDef[];
}

export interface ChainLink {
  task: string;
  when: ChainWhen;
}

/** The run whose end queued a chained run (trigger `after`): what its steps see as LIGHTFLOW_UPSTREAM_*. */
export interface Upstream {
  task: string;
  run_id: number;
  status: RunStatus;
}

export interface Task extends TaskDef {
  id: number;
  created_at: number;
  updated_at: number;
}

export interface StepRun extends StepDef {
  position: number;
  /** 1 for the first try */
  attempt: number;
  /** while the step waits to try again: when the next attempt starts (live state only, never stored) */
  retry_at?: number | null;
  status: StepStatus;
  exit_code: number | null;
  signal: string | null;
  error: string | null;
  started_at: number | null;
  ended_at: number | null;
  log_bytes: number;
  /** a step a retry did not run again (status `skipped`): the run in which it was done */
  done_in: number | null;
}

export interface Run {
  id: number;
  task_id: number;
  task: string;
  pool: string | null;
  status: RunStatus;
  trigger: Trigger;
  triggered_by: string | null;
  scheduled_for: number | null;
  queued_at: number;
  started_at: number | null;
  ended_at: number | null;
  /** the run's parameter values by name (every declared parameter, given or default) */
  params: Record<string, string>;
  /** the run this one retries (trigger `retry`) */
  retry_of: number | null;
  /** set on chained runs only */
  upstream: Upstream | null;
  /** the node that runs or ran it (null while it waits for one) */
  node: string | null;
  steps: StepRun[];
}

/** What is shown of a step run (the API's step object): no command line, no process facts. */
export type StepView = Pick<StepRun, "position" | "name" | "attempt" | "retries" | "retry_at" | "status" | "exit_code" | "signal" | "error" | "started_at" | "ended_at" | "log_bytes" | "done_in">;

/** What is shown of a run: lists and the grid read only this much. */
export interface RunView extends Omit<Run, "steps" | "upstream"> {
  steps: StepView[];
}

export interface Pool {
  name: string;
  slots: number;
}

/** Names a variable may not take: Lightflow sets them itself. */
export function isReservedVariable(key: string): boolean {
  return key === "PATH" || key === "PYTHONPATH" || key === "HOME" || key.startsWith("LIGHTFLOW_");
}

export interface Variable {
  key: string;
  value: string;
  secret: boolean;
}
