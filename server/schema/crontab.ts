// POST /api/import/crontab: a crontab in, one line of the plan per schedule line out.
import { Type } from "@sinclair/typebox";
import { t } from "elysia";
import { OneOf } from "./common.ts";
import { TaskInput } from "./tasks.ts";

const Flag = (what: string) => t.Optional(t.Union([t.Literal("1"), t.Literal("0"), t.Literal("true"), t.Literal("false")], { error: `${what}: 1 or 0` }));

export const CrontabImportQuery = t.Object({
  /** list what would be created, change nothing */
  dry_run: Flag("dry_run"),
  /** /etc/crontab and /etc/cron.d format: a user column after the time fields, which becomes run_as */
  system: Flag("system"),
  /** put before every task name */
  prefix: t.Optional(t.String({ maxLength: 32, pattern: "^[A-Za-z0-9_.-]+$", error: "prefix: 1 to 32 characters of A-Z a-z 0-9 _ . -" })),
  /** run_as for every task of a user crontab */
  run_as: t.Optional(t.String({ maxLength: 32, pattern: "^[A-Za-z_][A-Za-z0-9_.-]*\\$?$", error: "run_as: a Unix user name" })),
  /** the file's name, quoted in each task's description */
  source: t.Optional(t.String({ maxLength: 200, pattern: "^[^\\u0000-\\u001f]*$", error: "source: a file name of at most 200 characters" })),
});
export type CrontabImportQuery = typeof CrontabImportQuery.static;

export const CrontabLineOut = t.Object({
  /** 1-based line number in the crontab */
  line: Type.Integer(),
  text: t.String(),
  action: OneOf(["create", "unchanged", "skipped"]),
  /** the task made (or the existing one that already does this job); null when skipped */
  name: t.Nullable(t.String()),
  /** why skipped, or what of the line a created task leaves out */
  reason: t.Nullable(t.String()),
  /** the task's definition, as POST /api/tasks takes it */
  task: t.Nullable(TaskInput),
});
export type CrontabLineOut = typeof CrontabLineOut.static;

export const CrontabImportOut = t.Object({ dry_run: t.Boolean(), lines: t.Array(CrontabLineOut) });
export type CrontabImportOut = typeof CrontabImportOut.static;
