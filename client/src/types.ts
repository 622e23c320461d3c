// The shapes of the HTTP API, as written in shared/spec/api.md. Times are ISO
// 8601 strings in UTC; ids are integers.

export type Role = "admin" | "viewer";
export type RunRule = "on_success" | "always";
export type Trigger = "schedule" | "manual" | "catchup";
export type RunStatus = "queued" | "running" | "success" | "failed" | "cancelled";
export type StepStatus =
  | "pending"
  | "running"
  | "success"
  | "skipped"
  | "failed"
  | "timed_out"
  | "cancelled"
  | "not_run";

export interface Step {
  name: string;
  command: string;
  args: string[];
  run_rule: RunRule;
  timeout_s: number;
  /** tries again after a failure or timeout, up to this many times (0 to 10) */
  retries: number;
  /** seconds to wait before each new try */
  retry_delay_s: number;
}

export interface Task {
  id: number;
  name: string;
  description: string;
  cron: string | null;
  enabled: boolean;
  pool: string | null;
  catchup: boolean;
  /** a scheduled run not started this many seconds after its fire time sends a did_not_start alert; null: never */
  start_deadline_s: number | null;
  /** besides the users who opted in, these addresses get this task's alerts */
  alert_emails: string[];
  /** null when disabled or without cron */
  next_fire_at: string | null;
  steps: Step[];
  created_at: string;
  updated_at: string;
}

/** POST /api/tasks and PUT /api/tasks/:task take a task without ids or times. */
export type TaskInput = Omit<Task, "id" | "next_fire_at" | "created_at" | "updated_at">;

export interface TaskPatch {
  enabled?: boolean;
  cron?: string | null;
  pool?: string | null;
  description?: string;
  catchup?: boolean;
  start_deadline_s?: number | null;
  alert_emails?: string[];
}

export interface RunStep {
  position: number;
  name: string;
  status: StepStatus;
  /** which try this is (each has its own log); counts from 1 */
  attempt: number;
  /** how many times the step may be tried again: `retries + 1` attempts at most */
  retries: number;
  exit_code: number | null;
  signal: string | null;
  error: string | null;
  started_at: string | null;
  ended_at: string | null;
  log_bytes: number;
}

export interface Run {
  id: number;
  task: string;
  status: RunStatus;
  trigger: Trigger;
  triggered_by: string | null;
  scheduled_for: string | null;
  queued_at: string;
  started_at: string | null;
  ended_at: string | null;
  steps: RunStep[];
}

export interface GridTask extends Task {
  runs: Run[];
}

export interface Grid {
  tasks: GridTask[];
}

/** A fire time that falls in a DST change of the server's timezone. */
export interface CronNote {
  at: string;
  kind: "skipped" | "repeated";
  message: string;
}

export interface CronPreview {
  next: string[];
  timezone: string;
  notes: CronNote[];
  /** why fewer times than asked came back */
  reason?: string;
}

/** GET /api/tasks/:task/runs filters; `from`/`to` (ISO) bound when a run was queued, `to` excluded. */
export interface RunFilter {
  status?: RunStatus[];
  from?: string;
  to?: string;
}

/** GET and PUT /api/settings. */
export interface Settings {
  alert_webhook_url: string | null;
}

/** One line of POST /api/import's answer. */
export interface ImportChange {
  kind: "pool" | "variable" | "task";
  name: string;
  action: "create" | "update" | "unchanged" | "kept" | "skipped";
  detail?: string;
}

export interface ImportResult {
  dry_run: boolean;
  changes: ImportChange[];
}

export interface Pool {
  name: string;
  slots: number;
  running: number;
  queued: number;
}

export interface Variable {
  key: string;
  /** null for secrets: their value is write-only */
  value: string | null;
  secret: boolean;
}

export interface Me {
  id: number;
  email: string;
  role: Role;
  totp_enabled: boolean;
  alerts: boolean;
}

export type UserStatus = "pending" | "active" | "disabled";

export interface User {
  id: number;
  email: string;
  role: Role;
  status: UserStatus;
  totp_enabled: boolean;
  created_at: string;
}

export interface ApiToken {
  id: number;
  name: string;
  created_at: string;
  last_used_at: string | null;
}

/** Returned once, at creation: the only time the token is shown. */
export interface NewApiToken {
  id: number;
  name: string;
  token: string;
}

export interface TotpEnrolment {
  secret: string;
  uri: string;
}

export interface ScriptFile {
  path: string;
  size: number;
  modified_at: string;
  /** NUL bytes or not UTF-8: listed, but the editor cannot open it (415) */
  binary: boolean;
}

export interface ScriptCheck {
  /** null when python3 names no line */
  line: number | null;
  message: string;
}

export interface ScriptSaved {
  path: string;
  size: number;
  check: ScriptCheck | null;
}

export interface Package {
  name: string;
  version: string;
}

/** POST /api/packages and DELETE /api/packages/:name answer 202 with the job's id. */
export interface PackageJob {
  job: string;
}

export type PackageJobStatus = "queued" | "running" | "success" | "failed";

export interface PackageJobSummary {
  job: string;
  status: PackageJobStatus;
  action: "install" | "uninstall";
  requirement: string;
}

export interface PackageJobState extends PackageJobSummary {
  output: string;
}

/** Messages on the WebSocket /api/packages/jobs/:job/ws (server/http/packages.ts). */
export type JobMessage = { type: "output"; data: string } | { type: "end"; status: "success" | "failed" };

export interface AuditEntry {
  id: number;
  at: string;
  user: string | null;
  action: string;
  target: string | null;
  detail: unknown;
}

export interface About {
  version: string;
  commit: string;
  build_date: string;
  started_at: string;
  timezone: string;
}

export interface AuthState {
  first_run: boolean;
}

export interface LoginBody {
  email: string;
  password: string;
  totp?: string;
}

/** Messages on the WebSocket /api/events. */
export type LiveEvent =
  | { type: "run"; run: Run }
  | { type: "task"; task: Task }
  | { type: "task_deleted"; name: string };

/** Messages on the WebSocket /api/runs/:run/steps/:pos/log/ws. */
export type LogMessage =
  | { type: "chunk"; offset: number; data: string }
  | { type: "end"; step: RunStep };
