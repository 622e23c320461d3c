// `lightflow runs TASK`: the task's runs, newest first.
import { clientCommand, out, printJson, seg, table, time, usageError, type Run } from "./shared.ts";

export const RUNS_USAGE = "usage: lightflow runs TASK [--limit N] [--json] [--url URL] [--token-file PATH]";

/** One glyph per step status, so a run's steps read at a glance (the README lists them). */
const GLYPH: Record<string, string> = {
  success: "✓",
  failed: "✗",
  timed_out: "⏱",
  cancelled: "⊘",
  running: "▶",
  pending: "·",
  skipped: "↷",
  not_run: "-",
};

export const runs = (argv: string[]) =>
  clientCommand(RUNS_USAGE, argv, { valued: ["--limit"] }, async ({ client, args, values }) => {
    if (args.length !== 1) throw usageError(RUNS_USAGE, args.length ? `unexpected argument ${args[1]}` : "which task? give its name");
    const limit = values.get("--limit")?.at(-1) ?? "25";
    if (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > 500) throw usageError(RUNS_USAGE, `--limit ${limit}: give a number from 1 to 500`);
    const list = await client.call<Run[]>("GET", `/api/tasks/${seg(args[0]!)}/runs?limit=${limit}`);
    if (client.json) {
      await printJson(list);
      return 0;
    }
    const rows = list.map((r) => [
      String(r.id),
      r.status,
      r.trigger,
      time(r.queued_at),
      time(r.started_at),
      time(r.ended_at),
      r.steps.map((s) => GLYPH[s.status] ?? "?").join(""),
    ]);
    await out(list.length ? table(["RUN", "STATUS", "TRIGGER", "QUEUED (UTC)", "STARTED", "ENDED", "STEPS"], rows) : "no runs\n");
    return 0;
  });
