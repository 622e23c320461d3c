// P4 trigger latency: POST /api/tasks/:t/runs → the first byte the step
// writes. The step is `date +%s%N`: the byte it writes carries the wall-clock
// time date read just before writing it, so the figure needs no log delivery
// and no second clock; the bench takes its own wall-clock time (µs, calibrated
// on Date.now()'s millisecond edge) just before sending the POST.
// Baseline: raw Bun.spawn(["date", "+%s%N"]) from the bench, measured the same way.
import { spawnToFirstByte } from "./lib/baseline.ts";
import { recalibrate } from "./lib/clock.ts";
import { historyData, historyTask, HISTORY_TASKS } from "./lib/history.ts";
import { triggerOnce } from "./lib/probes.ts";
import { startServer, type Server } from "./lib/server.ts";
import { ms, summarize } from "./lib/stats.ts";
import { ratio, verdict, type Bench } from "./lib/types.ts";

export const trigger: Bench = async (ctx) => {
  const n = ctx.quick ? 50 : 300;
  const warm = 10;
  const data = await ctx.gate.run("P4 setup", 1000, () => historyData("trigger", 1000));
  let server: Server | undefined;
  const lat: number[] = [];
  const post: number[] = [];
  const base: number[] = [];
  try {
    server = await ctx.gate.run("P4 start", 3000, () => startServer({ dir: data.dir, token: data.token }));
    recalibrate();
    for (let i = 0; i < warm + n; i++) {
      await ctx.gate.run("P4", 500, async () => {
        const s = await triggerOnce(server!, historyTask(i % HISTORY_TASKS));
        const b = await spawnToFirstByte();
        if (i < warm) return;
        lat.push(s.firstByte);
        post.push(s.post);
        base.push(b);
      });
    }
  } finally {
    await server?.stop();
    data.cleanup();
  }
  const s = summarize(lat);
  const b = summarize(base);
  const p = summarize(post);
  return [
    {
      id: "P4",
      what: "trigger latency",
      figure: `p50 ${ms(s.p50)}, p99 ${ms(s.p99)}`,
      baseline: `p50 ${ms(b.p50)}, p99 ${ms(b.p99)}`,
      ratio: ratio(s.p50, b.p50),
      target: "p50 ≤ 5 ms, p99 ≤ 20 ms",
      verdict: verdict(s.p50 <= 5 && s.p99 <= 20),
      note:
        `${n} triggers one after another (after ${warm} warm-up), over 20 tasks with 1 k runs, admin API token; ` +
        `POST sent → first byte of step 1 (\`date +%s%N\`, its own timestamp). The 202 came back after p50 ${ms(p.p50)}. ` +
        `Baseline: Bun.spawn of the same command from the bench, interleaved.`,
    },
  ];
};
