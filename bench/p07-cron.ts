// P7 cron accuracy: 20 tasks on `* * * * *` for 5 fire times (quick: 2):
// fire time (scheduled_for) → step start (step_runs.started_at), read from the
// database after the last fire. The step is `date +%s%N`, so the time its
// process really ran is known too. Global concurrency stays at its default
// of 4, so the 20 runs of one minute queue behind each other as they would in
// production. It runs in the background from the start of the bench; the gate
// keeps the other benchmarks away from its fire times.
import { Database } from "bun:sqlite";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { nsToMs } from "./lib/clock.ts";
import { stepLogPath } from "../server/engine/logs.ts";
import { buildData, step } from "./lib/data.ts";
import { DATE_STEP } from "./lib/probes.ts";
import { loadAverage } from "./lib/proc.ts";
import { startServer, type Server } from "./lib/server.ts";
import { ms, summarize } from "./lib/stats.ts";
import { errorRows, verdict, type Background, type Ctx, type Row } from "./lib/types.ts";

const TASKS = 20;
const MINUTE = 60_000;
const ENDED = /^lightflow: run \d+ of c\d\d ended /;

export function startCron(ctx: Ctx): Background {
  let ready = () => {};
  const readyP = new Promise<void>((r) => (ready = r));
  const done = (async (): Promise<Row[]> => {
    const fires = ctx.quick ? 2 : 5;
    const names = Array.from({ length: TASKS }, (_, i) => `c${String(i).padStart(2, "0")}`);
    const data = buildData("cron", {
      tasks: names.map((name) => ({ name, cron: "* * * * *", steps: [step("stamp", DATE_STEP.command, DATE_STEP.args)] })),
    });
    let server: Server | undefined;
    try {
      server = await startServer({ dir: data.dir, token: data.token });
      const first = (Math.floor(Date.now() / MINUTE) + 1) * MINUTE;
      const times = Array.from({ length: fires }, (_, k) => first + k * MINUTE);
      // 20 runs of `date` take well under a second; the window ends early once they all ended
      for (const b of times) ctx.gate.reserve({ start: b - 1500, end: b + 5000 });
      ready();
      ctx.log(`P7: ${TASKS} tasks on * * * * *, fire times ${times.map((t) => new Date(t).toISOString().slice(11, 16)).join(", ")} UTC`);

      const load: string[] = []; // the machine's 1-minute load average after each fire (it is shared)
      let ended = 0;
      const off = server.onLine((l) => {
        if (ENDED.test(l)) ended++;
      });
      try {
        for (let k = 0; k < fires; k++) {
          const b = times[k]!;
          const deadline = b + 20_000;
          while (ended < TASKS * (k + 1) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
          ctx.gate.release(b - 1500);
          load.push(loadAverage().split(" ")[0]!);
        }
      } finally {
        off();
      }

      const db = new Database(join(data.dir, "lightflow.db"), { readonly: true });
      let rows: { id: number; task: string; scheduled_for: number; started_at: number | null }[];
      try {
        rows = db
          .query<{ id: number; task: string; scheduled_for: number; started_at: number | null }, []>(
            `SELECT r.id, t.name AS task, r.scheduled_for, s.started_at FROM runs r
             JOIN tasks t ON t.id = r.task_id JOIN step_runs s ON s.run_id = r.id AND s.position = 1
             WHERE r.trigger = 'schedule' ORDER BY r.scheduled_for, r.id`,
          )
          .all();
      } finally {
        db.close();
      }
      const late: number[] = [];
      const firstByte: number[] = [];
      let missing = 0;
      for (const r of rows) {
        if (r.started_at === null) {
          missing++;
          continue;
        }
        late.push(r.started_at - r.scheduled_for);
        try {
          const text = readFileSync(stepLogPath(join(data.dir, "logs"), r.task, r.id, 1, "stamp"), "latin1");
          firstByte.push(nsToMs(text.split("\n")[0]!) - r.scheduled_for);
        } catch {
          missing++;
        }
      }
      const runsPerFire = new Map<number, number>();
      for (const r of rows) runsPerFire.set(r.scheduled_for, (runsPerFire.get(r.scheduled_for) ?? 0) + 1);
      const short = [...runsPerFire.values()].filter((n) => n !== TASKS).length;
      const overlaps = times.flatMap((b) => {
        const starts = rows.filter((r) => r.scheduled_for === b).map((r) => r.started_at ?? b);
        return ctx.gate.overlapping(b - 1000, Math.max(b, ...starts) + 100).map((w) => w.label);
      });
      const s = summarize(late);
      const f = summarize(firstByte);
      const perFire = times.map((b, k) => {
        const starts = rows.filter((r) => r.scheduled_for === b).map((r) => (r.started_at ?? b) - b);
        return `${Math.min(...starts)}–${Math.max(...starts)} ms (load ${load[k] ?? "?"})`;
      });
      const expected = fires * TASKS;
      return [
        {
          id: "P7",
          what: "cron accuracy",
          figure: `p99 ${s.p99} ms late (min ${s.min} ms)`,
          baseline: "—",
          ratio: "—",
          target: "p99 ≤ 100 ms late, never early",
          verdict: verdict(s.n >= expected && s.p99 <= 100 && s.min >= 0 && f.min >= 0),
          note:
            `${s.n} scheduled runs over ${runsPerFire.size} fire times (expected ${expected}); fire time → step started_at (whole ms): p50 ${s.p50} ms, max ${s.max} ms; ` +
            `fire time → the step's own first byte (\`date +%s%N\`): p50 ${ms(f.p50)}, p99 ${ms(f.p99)}, min ${ms(f.min)}; ` +
            `first–last step start per fire time: ${perFire.join(", ")}; ` +
            `global concurrency 4, so runs 5–20 of a minute queue` +
            (missing ? `; ${missing} run(s) without a start or log` : "") +
            (short ? `; ${short} fire time(s) did not have ${TASKS} runs` : "") +
            (overlaps.length ? `; other benchmark work ran within 1 s of a fire time (${overlaps.join(", ")})` : "; no other benchmark ran within 1 s of a fire time") +
            ".",
        },
      ];
    } finally {
      ready(); // never leave the runner waiting, even after a failure
      await server?.stop();
      data.cleanup();
    }
  })().catch((e) => errorRows(["P7"], e));
  return { ready: readyP, done };
}
