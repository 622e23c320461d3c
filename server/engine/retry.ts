// Re-running a run from its first step that did not succeed. The new run
// takes the task's steps as they are now (the fix may be in the definition),
// so the steps before that one must still be the same steps; they start
// `skipped`, each marked with the run in which it was done, and never run.
// `always` steps run as in any run, wherever they stand.
import { FINISHED_RUN, type Run, type StepStatus, type Task } from "./types.ts";

/** What a retry counts as done: a success, a deliberate skip (exit 75), or a step an earlier retry did not run again. */
const DONE: ReadonlySet<StepStatus> = new Set(["success", "skipped"]);

/** The position a retry of `run` starts at, or null when every step succeeded. */
export function retryFrom(run: Pick<Run, "steps">): number | null {
  return run.steps.find((s) => !DONE.has(s.status))?.position ?? null;
}

/**
 * Which steps of the new run start done (position → the run they were done
 * in), or why there can be no retry: `queued` is the task's queued run, if
 * any (a task has one at most: the retry would be a second).
 */
export function retryPlan(run: Run, task: Task, queued: number | null): { from: number; doneIn: Map<number, number> } | { message: string } {
  if (!FINISHED_RUN.has(run.status)) return { message: `run ${run.id} is still ${run.status}; wait for it to end (or cancel it), then retry` };
  if (run.status === "success") return { message: `run ${run.id} succeeded; there is nothing to retry (trigger a new run instead)` };
  const from = retryFrom(run);
  if (from === null) return { message: `every step of run ${run.id} succeeded; there is nothing to retry (trigger a new run instead)` };
  if (queued !== null) return { message: `run ${queued} of ${task.name} is already queued; cancel it or retry once it has started` };
  for (let p = 1; p <= from; p++) {
    const was = run.steps[p - 1]!.name;
    const now = task.steps[p - 1]?.name;
    if (now !== was) {
      const is = now === undefined ? "is gone" : `is now "${now}"`;
      return { message: `the steps of ${task.name} changed since run ${run.id} (step ${p} was "${was}", ${is}); trigger a new run instead` };
    }    // a step skipped as done must be the step that was done: the failed one itself may have been fixed
    const before = run.steps[p - 1]!;
    const after = task.steps[p - 1]!;
    if (p < from && (before.command !== after.command || JSON.stringify(before.args) !== JSON.stringify(after.args))) {
      return { message: `step ${p} of ${task.name} ("${was}") runs another command since run ${run.id}, so it cannot count as done; trigger a new run instead` };
    }
  }
  const doneIn = new Map<number, number>();
  for (let p = 1; p < from; p++) {
    if (task.steps[p - 1]!.run_rule === "always") continue;
    doneIn.set(p, run.steps[p - 1]!.done_in ?? run.id);
  }
  return { from, doneIn };
}
