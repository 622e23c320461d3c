// The shapes of the HTTP API, taken from the server's TypeBox schemas
// (server/schema/), which are what the server validates its answers against:
// nothing here is written by hand, so the client cannot drift from the server.
// `export type` only: the imports are erased, and no server code or TypeBox
// reaches the bundle. Times are ISO 8601 strings in UTC; ids are integers.
import type { RunStatus } from "../../server/schema/common.ts";

export type { RunStatus } from "../../server/schema/common.ts";
export type { LiveEvent, LogMessage } from "../../server/schema/events.ts";
export type {
  AboutOut as About,
  ApiTokenOut as ApiToken,
  AuditEntryOut as AuditEntry,
  AuthStateOut as AuthState,
  LoginInput as LoginBody,
  LoginOut,
  MePatch,
  NewApiTokenOut as NewApiToken,
  NodeOut as ClusterNode,
  PoolOut as Pool,
  Role,
  SetPasswordOut,
  SettingsOut as Settings,
  TotpEnrolmentOut as TotpEnrolment,
  UserOut as Me,
  UserPatch,
  UserRow as User,
  UserStatus,
  VariableInput,
  VariableOut as Variable,
  VariableUpdate,
} from "../../server/schema/resources.ts";
export type {
  JobMessage,
  JobRef as PackageJob,
  JobOut as PackageJobState,
  JobStatus as PackageJobStatus,
  JobSummaryOut as PackageJobSummary,
  PackageOut as Package,
  ScriptEntryOut as ScriptFile,
  ScriptRenamedOut as ScriptRenamed,
  ScriptSavedOut as ScriptSaved,
  SyntaxCheckOut as ScriptCheck,
} from "../../server/schema/scripts.ts";
export type {
  ChainLink,
  ChainWhen,
  CronNoteOut as CronNote,
  CronPreviewOut as CronPreview,
  GridOut as Grid,
  GridTaskOut as GridTask,
  ImportChangeOut as ImportChange,
  ImportResultOut as ImportResult,
  RunOut as Run,
  RunRule,
  StepRunOut as RunStep,
  StepStatus,
  StepOut as Step,
  TaskInput,
  TaskOut as Task,
  TaskPatch,
  Trigger,
} from "../../server/schema/tasks.ts";
export type { CrontabImportOut as CrontabImport, CrontabLineOut as CrontabLine } from "../../server/schema/crontab.ts";

// Client-side only: not a payload.

/** The run list's filters, before they become GET /api/tasks/:task/runs's query; `from`/`to` (ISO) bound when a run was queued, `to` excluded. */
export interface RunFilter {
  status?: RunStatus[];
  from?: string;
  to?: string;
}
