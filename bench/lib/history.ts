// The history data sets of P4 and P11: 20 tasks whose first step prints its
// start time (`date +%s%N`), then two `true` steps, with N runs of 3 steps in
// the database. 20 tasks × 50 runs is the 1 k case; the grid then returns the
// same 1,000 runs whatever the history size.
import { buildData, farCron, step, type DataDir } from "./data.ts";
import { DATE_STEP } from "./probes.ts";

export const HISTORY_TASKS = 20;

export const historyTask = (i: number) => `h${String(i).padStart(2, "0")}`;

export function historyData(label: string, runs: number): DataDir {
  const cron = farCron();
  const tasks = Array.from({ length: HISTORY_TASKS }, (_, i) => ({
    name: historyTask(i),
    cron,
    steps: [step("stamp", DATE_STEP.command, DATE_STEP.args), step("work", "true"), step("report", "true")],
  }));
  return buildData(label, { tasks, history: { runs } });
}
