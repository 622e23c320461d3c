// P3 start-up: exec of the compiled server → the first answer of /api/alive,
// with the idle history (200 tasks, 50 k runs). Baseline: the same for the
// compiled empty Bun.serve. The bench polls /api/alive every millisecond (the
// rule against polling is for the product, not for its stopwatch).
import { compileEmptyServer, startEmpty, type Child } from "./lib/baseline.ts";
import { sleep } from "./lib/clock.ts";
import { idleData } from "./p01-idle.ts";
import { freePort, startServer } from "./lib/server.ts";
import { ms, summarize } from "./lib/stats.ts";
import { ratio, verdict, type Bench } from "./lib/types.ts";

/** Polls url until it answers 200; ms since `t0` (performance.now()). */
async function firstAnswer(url: string, t0: number): Promise<number> {
  const deadline = t0 + 10_000;
  while (performance.now() < deadline) {
    try {
      const res = await fetch(url, { headers: { connection: "close" } });
      await res.arrayBuffer();
      if (res.ok) return performance.now() - t0;
    } catch {
      // not listening yet
    }
    await sleep(1);
  }
  throw new Error(`${url} did not answer within 10 s`);
}

export const startup: Bench = async (ctx) => {
  const reps = ctx.quick ? 5 : 15;
  const [data, empty] = await ctx.gate.run("P3 setup", 3000, async () => [idleData("startup"), await compileEmptyServer()] as const);
  const lfTimes: number[] = [];
  const baseTimes: number[] = [];
  try {
    for (let i = 0; i <= reps; i++) {
      // rep 0 is the warm-up (page cache, first exec of a fresh file)
      await ctx.gate.run("P3", 3000, async () => {
        let port = freePort();
        let t0 = performance.now();
        const server = await startServer({ dir: data.dir, token: data.token, port, noWait: true });
        try {
          const t = await firstAnswer(`http://127.0.0.1:${port}/api/alive`, t0);
          if (i > 0) lfTimes.push(t);
        } finally {
          await server.stop();
        }
        port = freePort();
        t0 = performance.now();
        const base: Child = await startEmpty(empty.path, port, false);
        try {
          const t = await firstAnswer(`http://127.0.0.1:${port}/`, t0);
          if (i > 0) baseTimes.push(t);
        } finally {
          await base.stop();
        }
      });
    }
  } finally {
    empty.cleanup();
    data.cleanup();
  }
  const s = summarize(lfTimes);
  const b = summarize(baseTimes);
  return [
    {
      id: "P3",
      what: "start-up",
      figure: `p50 ${ms(s.p50)} (max ${ms(s.max)})`,
      baseline: `p50 ${ms(b.p50)}`,
      ratio: ratio(s.p50, b.p50),
      target: "≤ 300 ms",
      verdict: verdict(s.p50 <= 300),
      note: `${reps} starts after 1 warm-up, alternating with the empty server; exec → first 200 of /api/alive (polled every 1 ms); 200 tasks, 50 k runs.`,
    },
  ];
};
