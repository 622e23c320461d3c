// Engine objects to API JSON: times become ISO 8601 strings in UTC, internal
// fields stay inside.
import type { RunOut, TaskOut } from "../schema/tasks.ts";
import { definitionOf } from "../engine/taskdef.ts";
import type { Run, StepRun, Task } from "../engine/types.ts";

export const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

export function taskOut(t: Task, nextFireAt: number | null): TaskOut {
  return { id: t.id, ...definitionOf(t), next_fire_at: iso(nextFireAt), created_at: iso(t.created_at)!, updated_at: iso(t.updated_at)! };
}

export function stepOut(s: StepRun) {
  return {
    position: s.position,
    name: s.name,
    status: s.status,
    attempt: s.attempt,
    retries: s.retries,
    retry_at: iso(s.retry_at ?? null),
    exit_code: s.exit_code,
    signal: s.signal,
    error: s.error,
    started_at: iso(s.started_at),
    ended_at: iso(s.ended_at),
    log_bytes: s.log_bytes,
  };
}

export function runOut(r: Run): RunOut {
  return {
    id: r.id,
    task: r.task,
    status: r.status,
    trigger: r.trigger,
    triggered_by: r.triggered_by,
    scheduled_for: iso(r.scheduled_for),
    queued_at: iso(r.queued_at)!,
    started_at: iso(r.started_at),
    ended_at: iso(r.ended_at),
    steps: r.steps.map(stepOut),
  };
}
