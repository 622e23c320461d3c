// `lightflow cancel RUN`: asks the server to cancel a run; prints its status after.
import { clientCommand, out, printJson, runId, usageError, type Run } from "./shared.ts";

export const CANCEL_USAGE = "usage: lightflow cancel RUN [--json] [--url URL] [--token-file PATH]";

export const cancel = (argv: string[]) =>
  clientCommand(CANCEL_USAGE, argv, {}, async ({ client, args }) => {
    if (args.length > 1) throw usageError(CANCEL_USAGE, `unexpected argument ${args[1]}`);
    const id = runId(args[0], CANCEL_USAGE);
    // a finished run answers 409 with the server's sentence: exit 1
    const run = await client.call<Run>("POST", `/api/runs/${id}/cancel`);
    await (client.json ? printJson(run) : out(`run ${run.id}: ${run.status}\n`));
    return 0;
  });
