// `lightflow run TASK [-p NAME=VALUE]... [--wait] [--follow]`: starts a run
// with those parameter values; prints its id, and with --wait exits by how it
// ended (0 success, 1 anything else).
import { ended, followSteps, watchRun } from "./follow.ts";
import { clientCommand, EXIT, out, printJson, seg, usageError, type Run } from "./shared.ts";

export const RUN_USAGE = "usage: lightflow run TASK [-p NAME=VALUE]... [--wait] [--follow] [--json] [--url URL] [--token-file PATH]";

/** `-p NAME=VALUE` options as the trigger's `params` (the value may hold `=`; the server checks names and values). */
function paramsOf(given: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const p of given) {
    const eq = p.indexOf("=");
    if (eq < 1) throw usageError(RUN_USAGE, `-p ${p}: give it as NAME=VALUE`);
    const name = p.slice(0, eq);
    if (Object.hasOwn(params, name)) throw usageError(RUN_USAGE, `-p ${name} is given twice`);
    params[name] = p.slice(eq + 1);
  }
  return params;
}

export const run = (argv: string[]) =>
  clientCommand(RUN_USAGE, argv, { flags: ["--wait", "--follow"], valued: ["-p", "--param"] }, async ({ client, args, flags, values }) => {
    if (args.length !== 1) throw usageError(RUN_USAGE, args.length ? `unexpected argument ${args[1]}` : "which task? give its name");
    const given = [...(values.get("-p") ?? []), ...(values.get("--param") ?? [])];
    // no body without -p: a server older than parameters takes the trigger as before
    const body = given.length ? { params: paramsOf(given) } : undefined;
    const follow = flags.has("--follow");
    const trigger = () => client.call<Run>("POST", `/api/tasks/${seg(args[0]!)}/runs`, body);
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
