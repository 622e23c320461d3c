// `lightflow run TASK [--wait] [--follow]`: starts a run; prints its id, and
// with --wait exits by how it ended (0 success, 1 anything else).
import { ended, followSteps, watchRun } from "./follow.ts";
import { clientCommand, EXIT, out, printJson, seg, usageError, type Run } from "./shared.ts";

export const RUN_USAGE = "usage: lightflow run TASK [--wait] [--follow] [--json] [--url URL] [--token-file PATH]";

export const run = (argv: string[]) =>
  clientCommand(RUN_USAGE, argv, { flags: ["--wait", "--follow"], valued: ["-p", "--param"] }, async ({ client, args, flags, values }) => {
    if (args.length !== 1) throw usageError(RUN_USAGE, args.length ? `unexpected argument ${args[1]}` : "which task? give its name");
    // refused rather than dropped: a run without the parameter asked for would do something else than asked
    if (values.size) throw usageError(RUN_USAGE, "-p needs task parameters, which this server does not have yet");
    const follow = flags.has("--follow");
    const trigger = () => client.call<Run>("POST", `/api/tasks/${seg(args[0]!)}/runs`);
    if (!follow && !flags.has("--wait")) {
      const r = await trigger();
      await (client.json ? printJson(r) : out(`${r.id}\n`));
      return EXIT.ok;
    }
    // the event socket opens before the trigger, so even a run that ends at once is seen ending
    const w = await watchRun(client, trigger);
    try {
      if (!client.json) await out(`${w.run.id}\n`);
      if (follow && !client.json) await followSteps(client, w, 1, false);
      const final = await ended(w);
      await (client.json ? printJson(final) : out(`run ${final.id}: ${final.status}\n`));
      return final.status === "success" ? EXIT.ok : EXIT.failed;
    } finally {
      w.close();
    }
  });
