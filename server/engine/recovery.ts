// Start-up after a stop: runs still marked `running` were interrupted. Their
// step processes may still be alive (after kill -9 of the server): those are
// killed, after checking by /proc start time that the pid is still the same
// process. Then the runs' remaining `always` steps run, before any new work.
import { logRef } from "./logstore.ts";
import { procStartTime, processesWithEnv, signalGroup, signalProcesses, waitGone } from "./proc.ts";
import { RunExecution, TOKEN_VAR, type RunnerDeps } from "./runner.ts";
import type { Run } from "./types.ts";

export const CRASH_ERROR = "interrupted: server stopped unexpectedly";
/** what the leader records on the running steps of a node it found gone (cluster/) */
export const nodeLostError = (node: string) => `interrupted: node ${node} stopped unexpectedly`;

function stepProcesses(pid: number | null, pidStart: number | null, token: string | null): { group: number | null; others: number[] } {
  const group = pid !== null && pidStart !== null && procStartTime(pid) === pidStart ? pid : null;
  return { group, others: token ? processesWithEnv(TOKEN_VAR, token) : [] };
}

/** TERM, then KILL after the grace; returns once nothing of the step is left. */
async function killLeftovers(pid: number | null, pidStart: number | null, token: string | null, graceMs: number): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    const { group, others } = stepProcesses(pid, pidStart, token);
    if (group !== null) signalGroup(group, sig);
    signalProcesses(others, sig);
    return group !== null || others.length > 0;
  };
  if (!signal("SIGTERM")) return;
  const alive = () => {
    const { group, others } = stepProcesses(pid, pidStart, token);
    return group !== null || others.length > 0;
  };
  if (await waitGone(alive, graceMs)) return;
  signal("SIGKILL");
  await waitGone(alive, 1000);
}

export async function recoverInterrupted(deps: RunnerDeps, running: Run[], graceMs: number): Promise<void> {
  await Promise.all(
    running.map(async (run) => {
      for (const step of run.steps.filter((s) => s.status === "running")) {
        const live = deps.runs.liveStep(run.id, step.position);
        await killLeftovers(live?.pid ?? null, live?.pid_start ?? null, live?.token ?? null, graceMs);
        const logBytes = await deps.logs.size(logRef(run, step)); // 0 when no log was written
        Object.assign(step, { status: "failed", error: CRASH_ERROR, ended_at: deps.clock.now(), log_bytes: logBytes });
        const stepEnded = {
          position: step.position,
          result: { status: "failed" as const, exit_code: null, signal: null, error: CRASH_ERROR, ended_at: step.ended_at!, log_bytes: step.log_bytes },
        };
        deps.outage.do(`run ${run.id}'s recovery`, () => deps.runs.write(run.id, { stepEnded }));
      }
      console.log(`lightflow: run ${run.id} of ${run.task} was interrupted; running its remaining always steps`);
      const status = await new RunExecution(deps, run, true).execute();
      console.log(`lightflow: run ${run.id} of ${run.task} recovered, ended ${status}`);
    }),
  );
}

/**
 * Runs the leader closed while this node was gone (a cluster): their steps'
 * processes may still be alive here (kill -9 of the node) and are killed,
 * then their `always` steps run, here, where the earlier steps ran.
 */
export async function recoverClosed(deps: RunnerDeps, runs: Run[], node: string, graceMs: number): Promise<void> {
  for (const run of runs) {
    for (const step of run.steps.filter((s) => s.error === nodeLostError(node))) {
      const live = deps.runs.liveStep(run.id, step.position);
      await killLeftovers(live?.pid ?? null, live?.pid_start ?? null, live?.token ?? null, graceMs);
    }
    console.log(`lightflow: run ${run.id} of ${run.task} was closed while this node was gone; running its remaining always steps`);
    await new RunExecution(deps, run, true).execute();
  }
}
