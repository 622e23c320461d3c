// Words for statuses, so that no status is told by colour alone.
import type { RunStatus, StepStatus } from "../types.ts";

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
