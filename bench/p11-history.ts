// P11 history: trigger latency (as P4) and grid time (GET /api/grid?runs=50)
// with 1 k runs and with 1 M runs (quick: 200 k) in the database. Both
// servers run side by side and the samples alternate between them, so a
// change in the machine's load hits both alike. Same 20 tasks of 3 steps in
// both: the grid returns the same 1,000 runs either way. The grid asks for
// 50 and 49 runs in turn: a task keeps the JSON of one limit only, so every
// request reads its runs from the database, which is what history could slow.
import { recalibrate } from "./lib/clock.ts";
import { historyData, historyTask, HISTORY_TASKS } from "./lib/history.ts";
import { timedGet, triggerOnce } from "./lib/probes.ts";
import { startServer, type Server } from "./lib/server.ts";
import { ms, summarize } from "./lib/stats.ts";
import type { DataDir } from "./lib/data.ts";
import { ratio, verdict, type Bench } from "./lib/types.ts";

export const history: Bench = async (ctx) => {
  const bigRuns = ctx.quick ? 200_000 : 1_000_000;
  const nTrig = ctx.quick ? 40 : 200;
  const nGrid = ctx.quick ? 20 : 60;
  const warm = 5;
  const label = ctx.quick ? "200 k" : "1 M";
  const small = await ctx.gate.run("P11 setup", 1000, () => historyData("history-1k", 1000));
  let big: DataDir | undefined;
  const servers: Server[] = [];
  const trig: [number[], number[]] = [[], []];
  const grid: [number[], number[]] = [[], []];
  let startLine = "";
  try {
    big = await ctx.gate.run("P11 setup", bigRuns / 40, () => historyData("history-big", bigRuns));
    ctx.log(`P11: ${label} runs built in ${(big.buildMs / 1000).toFixed(1)} s`);
    const t0 = performance.now();
    servers.push(await ctx.gate.run("P11 start", 3000, () => startServer({ dir: small.dir, token: small.token })));
    const t1 = performance.now();
    servers.push(await ctx.gate.run("P11 start", 3000, () => startServer({ dir: big!.dir, token: big!.token })));
    startLine = `start to "listening" ${ms(t1 - t0)} with 1 k runs, ${ms(performance.now() - t1)} with ${label}`;
    recalibrate();
    for (let i = 0; i < warm + nTrig; i++) {
      await ctx.gate.run("P11 trigger", 800, async () => {
        const order = i % 2 === 0 ? [0, 1] : [1, 0];
        for (const k of order) {
          const s = await triggerOnce(servers[k]!, historyTask(i % HISTORY_TASKS));
          if (i >= warm) trig[k]!.push(s.firstByte);
        }
      });
    }
    for (let i = 0; i < warm + nGrid; i++) {
      await ctx.gate.run("P11 grid", 800, async () => {
        const order = i % 2 === 0 ? [0, 1] : [1, 0];
        for (const k of order) {
          const g = await timedGet(servers[k]!, `/api/grid?runs=${50 - (i % 2)}`);
          if (g.status !== 200) throw new Error(`grid: ${g.status}`);
          if (i >= warm) grid[k]!.push(g.ms);
        }
      });
    }
  } finally {
    for (const s of servers) await s.stop();
    await ctx.gate.run("P11 cleanup", 5000, () => {
      small.cleanup();
      big?.cleanup();
    });
  }
  const [ts, tb] = trig.map(summarize) as [ReturnType<typeof summarize>, ReturnType<typeof summarize>];
  const [gs, gb] = grid.map(summarize) as [ReturnType<typeof summarize>, ReturnType<typeof summarize>];
  return [
    {
      id: "P11a",
      what: `history: trigger (${label} runs)`,
      figure: `p50 ${ms(tb.p50)}, p99 ${ms(tb.p99)}`,
      baseline: `1 k: p50 ${ms(ts.p50)}, p99 ${ms(ts.p99)}`,
      ratio: ratio(tb.p50, ts.p50),
      target: "≤ 1.5× (p50)",
      verdict: verdict(tb.p50 <= ts.p50 * 1.5),
      note: `${nTrig} triggers on each server after ${warm} warm-up, alternating; POST sent → first byte of step 1 as in P4; ${startLine}.`,
    },
    {
      id: "P11b",
      what: `history: grid (${label} runs)`,
      figure: `p50 ${ms(gb.p50)}, p99 ${ms(gb.p99)}`,
      baseline: `1 k: p50 ${ms(gs.p50)}, p99 ${ms(gs.p99)}`,
      ratio: ratio(gb.p50, gs.p50),
      target: "≤ 1.5× (p50)",
      verdict: verdict(gb.p50 <= gs.p50 * 1.5),
      note: `${nGrid} GET /api/grid?runs=50, then 49, then 50… (so each reads its runs from the database rather than the JSON kept from the last request) on each server after ${warm} warm-up, alternating; 20 tasks × 50 runs × 3 steps returned from either.`,
    },
  ];
};
