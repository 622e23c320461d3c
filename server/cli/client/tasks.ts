// `lightflow tasks`: every task with its schedule, next fire and last run.
import { clientCommand, out, printJson, table, time, usageError, type Run } from "./shared.ts";

export const TASKS_USAGE = "usage: lightflow tasks [--json] [--url URL] [--token-file PATH]";

interface GridTask {
  name: string;
  cron: string | null;
  enabled: boolean;
  next_fire_at: string | null;
  runs: Run[];
}

export const tasks = (argv: string[]) =>
  clientCommand(TASKS_USAGE, argv, {}, async ({ client, args }) => {
    if (args.length) throw usageError(TASKS_USAGE, `unexpected argument ${args[0]}`);
    // the grid with one run per task: tasks and their last run in one call
    const { tasks } = await client.call<{ tasks: GridTask[] }>("GET", "/api/grid?runs=1");
    if (client.json) {
      await printJson(tasks);
      return 0;
    }
    const rows = tasks.map((t) => [
      t.name,
      t.cron ? t.cron + (t.enabled ? "" : " (disabled)") : t.enabled ? "-" : "- (disabled)",
      time(t.next_fire_at),
      t.runs[0] ? `${t.runs[0].status} (run ${t.runs[0].id})` : "never run",
    ]);
    await out(tasks.length ? table(["NAME", "SCHEDULE", "NEXT FIRE (UTC)", "LAST RUN"], rows) : "no tasks\n");
    return 0;
  });
