// P8 grid: GET /api/grid?runs=50 with 100 tasks × 5,000 runs × 3 steps in the
// database, one request after another, timed by the client from sending to
// the last byte of the body. Baseline: GET /api/alive on the same server,
// interleaved (the floor of one HTTP round trip here).
import { buildData, farCron, step } from "./lib/data.ts";
import { timedGet } from "./lib/probes.ts";
import { startServer, type Server } from "./lib/server.ts";
import { ms, summarize } from "./lib/stats.ts";
import { ratio, verdict, type Bench } from "./lib/types.ts";

export function gridData(label: string, tasks: number, runs: number) {
  const cron = farCron();
  return buildData(label, {
    tasks: Array.from({ length: tasks }, (_, i) => ({
      name: `g${String(i).padStart(3, "0")}`,
      cron,
      steps: [step("fetch", "true"), step("transform", "true"), step("load", "true")],
    })),
    history: { runs },
  });
}

export const grid: Bench = async (ctx) => {
  const n = ctx.quick ? 20 : 100;
  const warm = 5;
  const data = await ctx.gate.run("P8 setup", 15_000, () => gridData("grid", 100, 500_000));
  ctx.log(`P8: 500 k runs built in ${(data.buildMs / 1000).toFixed(1)} s`);
  let server: Server | undefined;
  const times: number[] = [];
  const base: number[] = [];
  let bytes = 0;
  let cold = 0;
  try {
    server = await ctx.gate.run("P8 start", 3000, () => startServer({ dir: data.dir, token: data.token }));
    for (let i = 0; i < warm + n; i++) {
      await ctx.gate.run("P8", 1000, async () => {
        const g = await timedGet(server!, "/api/grid?runs=50");
        if (g.status !== 200) throw new Error(`grid: ${g.status}`);
        const a = await timedGet(server!, "/api/alive", false);
        if (i === 0) cold = g.ms;
        if (i < warm) return;
        times.push(g.ms);
        base.push(a.ms);
        bytes = g.bytes;
      });
    }
  } finally {
    await server?.stop();
    await ctx.gate.run("P8 cleanup", 3000, () => data.cleanup());
  }
  const s = summarize(times);
  const b = summarize(base);
  return [
    {
      id: "P8",
      what: "grid",
      figure: `p50 ${ms(s.p50)}, p99 ${ms(s.p99)}`,
      baseline: `/api/alive p50 ${ms(b.p50)}`,
      ratio: ratio(s.p50, b.p50),
      target: "p50 ≤ 30 ms, p99 ≤ 60 ms",
      verdict: verdict(s.p50 <= 30 && s.p99 <= 60),
      note:
        `${n} requests after ${warm} warm-up, client-timed to the last byte; 100 tasks × 50 runs × 3 steps returned (${(bytes / 1024).toFixed(0)} KiB of JSON) out of 500 k runs and 1.5 M step runs. ` +
        `The first request, which reads every run from the database, took ${ms(cold)}; the later ones send the finished runs' JSON kept from it (server/http/grid.ts), re-checked against the database each time.`,
    },
  ];
};
