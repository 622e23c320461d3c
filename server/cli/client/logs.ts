// `lightflow logs RUN [STEP] [-f]`: a step's log, or every step's after its header.
import { ended, followSteps, header, printLog, watchRun } from "./follow.ts";
import { clientCommand, out, printJson, runId, usageError, type Client, type Run } from "./shared.ts";

export const LOGS_USAGE = "usage: lightflow logs RUN [STEP] [-f] [--json] [--url URL] [--token-file PATH]";

/** STEP as a position (1-based) or a name. */
function stepOf(run: Run, arg: string): number {
  const step = /^\d+$/.test(arg) ? run.steps[Number(arg) - 1] : run.steps.find((s) => s.name === arg);
  if (!step) throw usageError(LOGS_USAGE, `run ${run.id} has no step ${arg} (its steps: ${run.steps.map((s) => `${s.position} ${s.name}`).join(", ")})`);
  return step.position;
}

async function asJson(client: Client, run: Run, positions: number[]): Promise<void> {
  const steps = [];
  for (const pos of positions) {
    const s = run.steps[pos - 1]!;
    const log = await (await client.raw(`/api/runs/${run.id}/steps/${pos}/log`)).text();
    steps.push({ position: s.position, name: s.name, status: s.status, log });
  }
  await printJson({ run, steps });
}

export const logs = (argv: string[]) =>
  clientCommand(LOGS_USAGE, argv, { flags: ["-f", "--follow"] }, async ({ client, args, flags }) => {
    if (args.length > 2) throw usageError(LOGS_USAGE, `unexpected argument ${args[2]}`);
    const id = runId(args[0], LOGS_USAGE);
    const follow = flags.has("-f") || flags.has("--follow");
    const get = () => client.call<Run>("GET", `/api/runs/${id}`);
    if (!follow) {
      const run = await get();
      const positions = args[1] ? [stepOf(run, args[1])] : run.steps.map((s) => s.position);
      if (client.json) {
        await asJson(client, run, positions);
        return 0;
      }
      for (const pos of positions) {
        if (!args[1]) await out(header(run.steps[pos - 1]!));
        if (!(await printLog(client, id, pos, false))) await out("\n");
      }
      return 0;
    }
    const w = await watchRun(client, get);
    try {
      const from = args[1] ? stepOf(w.run, args[1]) : 1;
      if (client.json) {
        // one document: the logs as they are once the run has ended
        const run = await ended(w);
        await asJson(client, run, args[1] ? [from] : run.steps.map((s) => s.position));
      } else await followSteps(client, w, from, Boolean(args[1]));
      return 0;
    } finally {
      w.close();
    }
  });
