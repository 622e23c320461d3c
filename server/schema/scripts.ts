// Scripts and Python packages as the API takes and gives them.
import { t } from "elysia";

export const ScriptEntryOut = t.Object({ path: t.String(), size: t.Number(), modified_at: t.String(), binary: t.Boolean() });
export const SyntaxCheckOut = t.Object({ line: t.Nullable(t.Integer()), message: t.String() });
export const ScriptSavedOut = t.Object({ path: t.String(), size: t.Number(), check: t.Nullable(SyntaxCheckOut) });

const PathText = (field: string) => t.String({ maxLength: 4096, error: `${field}: a path relative to the scripts directory` });
export const ScriptRename = t.Object({ from: PathText("from"), to: PathText("to") }, { additionalProperties: false });
export const ScriptRenamedOut = t.Object({ from: t.String(), to: t.String() });

export const PackageOut = t.Object({ name: t.String(), version: t.String() });
export const PackageInstall = t.Object(
  { requirement: t.String({ maxLength: 10_000, error: "requirement: a package requirement such as requests==2.32.3" }) },
  { additionalProperties: false },
);
export const JobRef = t.Object({ job: t.String() });

export const JobStatus = t.Union([t.Literal("queued"), t.Literal("running"), t.Literal("success"), t.Literal("failed")]);
export const JobSummaryOut = t.Object({
  job: t.String(),
  status: JobStatus,
  action: t.Union([t.Literal("install"), t.Literal("uninstall")]),
  requirement: t.String(),
});
export const JobOut = t.Composite([JobSummaryOut, t.Object({ output: t.String() })]);
export const JobQuery = t.Object({ follow: t.Optional(t.String({ error: "follow: 1 to stream the output until the job ends" })) });
/** Messages on /api/packages/jobs/:job/ws */
export type JobMessage = { type: "output"; data: string } | { type: "end"; status: "success" | "failed" };
