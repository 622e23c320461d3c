// A task definition as people write it (API body, setup file: most fields
// optional) and as the engine keeps it (every field set). One place for the
// defaults, one for the shape that leaves the server.
import type { StepDef, TaskDef } from "./types.ts";

export type TaskInputLike = Partial<Omit<TaskDef, "steps">> & {
  name: string;
  steps: (Partial<StepDef> & { name: string; command: string })[];
};

export function withDefaults(t: TaskInputLike): TaskDef {
  return {
    name: t.name,
    description: t.description ?? "",
    cron: t.cron?.trim() || null,
    enabled: t.enabled ?? true,
    pool: t.pool ?? null,
    catchup: t.catchup ?? false,
    start_deadline_s: t.start_deadline_s ?? null,
    alert_emails: t.alert_emails ?? [],
    steps: t.steps.map((s) => ({
      name: s.name,
      command: s.command,
      args: s.args ?? [],
      run_rule: s.run_rule ?? "on_success",
      timeout_s: s.timeout_s ?? 3600,
      retries: s.retries ?? 0,
      retry_delay_s: s.retry_delay_s ?? 10,
    })),
  };
}

/** Only the definition's fields, in a fixed order (a task from the store carries ids and times too). */
export function definitionOf(t: TaskDef): TaskDef {
  return {
    name: t.name,
    description: t.description,
    cron: t.cron,
    enabled: t.enabled,
    pool: t.pool,
    catchup: t.catchup,
    start_deadline_s: t.start_deadline_s,
    alert_emails: t.alert_emails,
    steps: t.steps.map((s) => ({
      name: s.name,
      command: s.command,
      args: s.args,
      run_rule: s.run_rule,
      timeout_s: s.timeout_s,
      retries: s.retries,
      retry_delay_s: s.retry_delay_s,
    })),
  };
}
