// Words for statuses, so that no status is told by colour alone.
import type { Run, RunStatus, StepStatus } from "../types.ts";

export const stepLabel: Record<StepStatus, string> = {
  pending: "pending",
  running: "running",
  success: "success",
  skipped: "skipped",
  failed: "failed",
  timed_out: "timed out",
  cancelled: "cancelled",
  not_run: "not run",
};

export const runLabel: Record<RunStatus, string> = {
  queued: "queued",
  running: "running",
  success: "success",
  failed: "failed",
  cancelled: "cancelled",
};

export const isActiveRun = (s: RunStatus) => s === "queued" || s === "running";

/** Whether a step may have written a log worth opening. */
export const hasLog = (s: StepStatus) => s !== "pending" && s !== "not_run";

const RUN_RANK: Record<RunStatus, number> = { queued: 0, running: 1, success: 2, failed: 2, cancelled: 2 };
const STEP_RANK: Record<StepStatus, number> = { pending: 0, running: 1, success: 2, skipped: 2, failed: 2, timed_out: 2, cancelled: 2, not_run: 2 };

/**
 * How far a run has got. It only grows while the run goes on, so a copy with
 * less progress than the one held is stale: an HTTP answer (Run now, Cancel)
 * that arrives after the live events of the same moment.
 */
export function progress(r: Run): number {
  let n = RUN_RANK[r.status] * 1000;
  for (const s of r.steps) n += ((s.attempt ?? 1) - 1) * 3 + STEP_RANK[s.status];
  return n;
}

export const isStale = (incoming: Run, held: Run) => progress(incoming) < progress(held);
