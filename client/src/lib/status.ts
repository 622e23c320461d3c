// Words for statuses, so that no status is told by colour alone.
import type { Run, RunStatus, RunStep, StepStatus } from "../types.ts";

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

/** 1st, 2nd, 3rd, 4th … 11th, 12th, 13th, 21st. */
export function ordinal(n: number): string {
  const v = n % 100;
  const suffix = v >= 11 && v <= 13 ? "th" : ({ 1: "st", 2: "nd", 3: "rd" } as Record<number, string>)[n % 10] ?? "th";
  return `${n}${suffix}`;
}

/** How many attempts a step may have (its retries may have been lowered since an attempt ran). */
export const maxAttempts = (s: RunStep) => Math.max(s.attempt, (s.retries ?? 0) + 1);

/** "3rd attempt of 4" for a step that was tried again; "" for a first attempt. */
export const attemptText = (s: RunStep) => (s.attempt > 1 ? `${ordinal(s.attempt)} attempt of ${maxAttempts(s)}` : "");

export const isActiveRun = (s: RunStatus) => s === "queued" || s === "running";

/** Whether a step may have written a log worth opening (a step a retry did not run again has none). */
export const hasLog = (s: RunStep) => s.status !== "pending" && s.status !== "not_run" && s.done_in == null;

/** "done in run #8" for a step a retry did not run again; "". */
export const doneInText = (s: RunStep) => (s.done_in != null ? `done in run #${s.done_in}` : "");

/**
 * The step a retry of a finished, unsuccessful run starts at (the first that
 * did not succeed), or null when there is none to retry. The server's rule
 * (server/engine/retry.ts), repeated here for the button's label.
 */
export function retryFrom(run: Run): number | null {
  if (run.status !== "failed" && run.status !== "cancelled") return null;
  return run.steps.find((s) => s.status !== "success" && s.status !== "skipped")?.position ?? null;
}

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
