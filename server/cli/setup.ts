// `lightflow export [<file>]` and `lightflow import <file> [--dry-run]`: tasks
// as code from the command line, on the same data directory as the server.
import { Value } from "@sinclair/typebox/value";
import { readFileSync, writeFileSync } from "node:fs";
import { loadConfig } from "../config.ts";
import type { AllStores } from "../db/index.ts";
import { exportSetup, planImport, SetupError, type SetupFile, type SetupTarget } from "../engine/setup.ts";
import { SetupFileSchema } from "../schema/tasks.ts";
import { openExisting } from "./open.ts";
import { runningServer } from "./pidfile.ts";

/** The stores alone: the server is not running, so no scheduler needs telling. */
function storesTarget({ tasks, pools, variables }: AllStores): SetupTarget {
  return {
    tasks: () => tasks.list(),
    pools: () => pools.list(),
    variables: () => variables.all(),
    createTask: (def) => void tasks.insert(def, Date.now()),
    replaceTask: (id, def) => void tasks.replace(id, def, Date.now()),
    putPool: (p, exists) => void (exists ? pools.setSlots(p.name, p.slots) : pools.insert(p)),
    putVariable: (v, exists) => (exists ? variables.update(v) : void variables.insert(v)),
  };
}

export function exportCommand(file: string | undefined): number {
  const stores = openExisting(loadConfig());
  try {
    const setup = exportSetup(storesTarget(stores));
    const text = JSON.stringify(setup, null, 2) + "\n";
    if (!file) {
      process.stdout.write(text);
      return 0;
    }
    writeFileSync(file, text);
    // stdout stays for the file's content (no argument); with a file, say what it holds
    console.error(`lightflow: wrote ${file}: ${setup.tasks?.length ?? 0} tasks, ${setup.pools?.length ?? 0} pools, ${setup.variables?.length ?? 0} variables (secret values left out)`);
    return 0;
  } finally {
    stores.close();
  }
}

export function importCommand(file: string, dryRun: boolean): number {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    console.error(`lightflow: cannot read ${file}: ${(e as Error).message}`);
    return 1;
  }
  const first = [...Value.Errors(SetupFileSchema, data)][0];
  if (first) {
    const field = first.path.replace(/^\//, "").replaceAll("/", ".");
    const custom = (first.schema as { error?: unknown }).error;
    console.error(`lightflow: ${file}: ${typeof custom === "string" ? custom : `${field || "file"}: ${first.message.toLowerCase()}`}${field ? ` (at ${field})` : ""}`);
    return 1;
  }
  const config = loadConfig();
  const stores = openExisting(config);
  try {
    // refuse before the plan is shown: a plan that will not be applied only misleads
    const running = dryRun ? null : runningServer(config.dataDir);
    if (running !== null) {
      console.error(`lightflow: ${running}: import through it (POST /api/import, or the Settings page), stop it first, or look with --dry-run`);
      return 1;
    }
    const target = storesTarget(stores);
    let plan;
    try {
      plan = planImport(target, data as SetupFile);
    } catch (e) {
      if (!(e instanceof SetupError)) throw e;
      console.error(`lightflow: ${file}: ${e.message}`);
      return 1;
    }
    for (const c of plan.changes) console.log(`${c.action.padEnd(9)} ${c.kind.padEnd(8)} ${c.name}${c.detail ? `  (${c.detail})` : ""}`);
    if (dryRun) return 0;
    stores.transaction(() => plan.apply());
    console.log("lightflow: imported");
    return 0;
  } finally {
    stores.close();
  }
}
