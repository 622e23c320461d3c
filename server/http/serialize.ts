// Engine objects to API JSON: times become ISO 8601 strings in UTC, internal
// fields stay inside.
import type { RunOut, StepRunOut, TaskOut } from "../schema/tasks.ts";
import { definitionOf } from "../engine/taskdef.ts";
import type { RunView, StepView, Task } from "../engine/types.ts";

const DAY = 86_400_000;
const pad2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, "0"));
const pad3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, "0"));

/**
 * A time as ISO 8601 in UTC, exactly as Date#toISOString writes it. The grid
 * turns some 60,000 times into strings per request; reusing the date part of
 * the last day seen and the time fields from tables is about a third faster.
 */
export const iso = isoWriter();

function isoWriter(): (t: number | null) => string | null {
  let lastDay = NaN;
  let lastDate = "";
  return (t) => {
    if (t === null) return null;
    const day = Math.floor(t / DAY);
    if (!Number.isInteger(t) || day < 0 || day >= 2_932_897) return new Date(t).toISOString(); // not whole ms, or outside years 1970-9999
    if (day !== lastDay) {
      lastDay = day;
      lastDate = new Date(day * DAY).toISOString().slice(0, 11);
    }
    let rest = t - day * DAY;
    const ms = rest % 1000;
    rest = (rest - ms) / 1000;
    const s = rest % 60;
    rest = (rest - s) / 60;
    const m = rest % 60;
    const h = (rest - m) / 60;
    return `${lastDate}${pad2[h]}:${pad2[m]}:${pad2[s]}.${pad3[ms]}Z`;
  };
}

export function taskOut(t: Task, nextFireAt: number | null): TaskOut {
  const def = definitionOf(t);
  return {
    id: t.id,
    ...def,
    // run_as is always in the answer (null: the server's user), though a setup file leaves it out when unset
    run_as: def.run_as ?? null,
    runs_on: def.runs_on ?? null,
    steps: def.steps.map((s) => ({ ...s, run_as: s.run_as ?? null })),
    next_fire_at: iso(nextFireAt),
    created_at: iso(t.created_at)!,
    updated_at: iso(t.updated_at)!,
  };
}

export function stepOut(s: StepView): StepRunOut {
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
    done_in: s.done_in ?? null,
  };
}

export function runOut(r: RunView): RunOut {
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
    params: r.params,
    retry_of: r.retry_of,
    node: r.node,
    steps: r.steps.map(stepOut),
  };
}
