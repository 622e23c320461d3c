// Scripts and Python packages as the API takes and gives them.
import { Type } from "@sinclair/typebox";
import { t } from "elysia";
import { OneOf } from "./common.ts";

export const ScriptEntryOut = t.Object({
  path: t.String(),
  size: Type.Integer(),
  modified_at: t.String(),
  /** NUL bytes or not UTF-8: listed, but the editor cannot open it (415) */
  binary: t.Boolean(),
});
export type ScriptEntryOut = typeof ScriptEntryOut.static;
/** python3's syntax check of a saved .py file; `line` is null when python3 names none. */
export const SyntaxCheckOut = t.Object({ line: t.Nullable(Type.Integer()), message: t.String() });
export type SyntaxCheckOut = typeof SyntaxCheckOut.static;
export const ScriptSavedOut = t.Object({ path: t.String(), size: Type.Integer(), check: t.Nullable(SyntaxCheckOut) });
export type ScriptSavedOut = typeof ScriptSavedOut.static;

const PathText = (field: string) => t.String({ maxLength: 4096, error: `${field}: a path relative to the scripts directory` });
export const ScriptRename = t.Object({ from: PathText("from"), to: PathText("to") }, { additionalProperties: false });
export const ScriptRenamedOut = t.Object({ from: t.String(), to: t.String() });
export type ScriptRenamedOut = typeof ScriptRenamedOut.static;

export const PackageOut = t.Object({ name: t.String(), version: t.String() });
export type PackageOut = typeof PackageOut.static;
export const PackageInstall = t.Object(
  { requirement: t.String({ maxLength: 10_000, error: "requirement: a package requirement such as requests==2.32.3" }) },
  { additionalProperties: false },
);
/** POST /api/packages and DELETE /api/packages/:name answer 202 with the job's id. */
export const JobRef = t.Object({ job: t.String() });
export type JobRef = typeof JobRef.static;

export const JobStatus = OneOf(["queued", "running", "success", "failed"]);
export type JobStatus = typeof JobStatus.static;
export const JobSummaryOut = t.Object({
  job: t.String(),
  /** the node whose venv the job changes (on a cluster each node runs its own job) */
  node: t.String(),
  status: JobStatus,
  action: OneOf(["install", "uninstall"]),
  requirement: t.String(),
});
export type JobSummaryOut = typeof JobSummaryOut.static;
export const JobOut = t.Composite([JobSummaryOut, t.Object({ output: t.String() })]);
export type JobOut = typeof JobOut.static;
export const JobQuery = t.Object({ follow: t.Optional(t.String({ error: "follow: 1 to stream the output until the job ends" })) });
/** Messages on /api/packages/jobs/:job/ws */
export const JobMessage = t.Union([
  t.Object({ type: t.Literal("output"), data: t.String() }),
  t.Object({ type: t.Literal("end"), status: OneOf(["success", "failed"]) }),
]);
export type JobMessage = typeof JobMessage.static;
