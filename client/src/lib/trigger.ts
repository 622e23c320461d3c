// What queued a run, in words: for run lists, the run page and the grid's tooltips.
import type { Run } from "../types.ts";

/** A chained run's `triggered_by` ("backup#812") as "backup #812". */
const upstream = (by: string) => {
  const i = by.lastIndexOf("#");
  return i < 0 ? by : `${by.slice(0, i)} #${by.slice(i + 1)}`;
};

/** "scheduled", "manual (ann@example.com)", "catch-up", "retry of run #811", "after backup #812". */
export function triggerText(r: Pick<Run, "trigger" | "triggered_by"> & { retry_of?: number | null }): string {
  switch (r.trigger) {
    case "manual":
      return `manual${r.triggered_by ? ` (${r.triggered_by})` : ""}`;
    case "after":
      return r.triggered_by ? `after ${upstream(r.triggered_by)}` : "after another task";
    case "catchup":
      return "catch-up";
    case "schedule":
      return "scheduled";
    case "retry":
      return r.retry_of ? `retry of run #${r.retry_of}` : "retry";
    default:
      return r.trigger;
  }
}
