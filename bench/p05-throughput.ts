// P5 throughput: 1,000 one-step tasks (`true`), each triggered once, all at
// once, global concurrency 4, until the last run ends (the server's own
// "run N of T ended" lines). Baseline: raw Bun.spawn(["true"]) four at a time,
// 1,000 of them, rounds interleaved with the server's.
import { spawnRate } from "./lib/baseline.ts";
import { buildData, step } from "./lib/data.ts";
import { UsageMeter } from "./lib/proc.ts";
import { startServer, type Server } from "./lib/server.ts";
import { median } from "./lib/stats.ts";
import { verdict, type Bench } from "./lib/types.ts";

const TASKS = 1000;
const IN_FLIGHT = 16;
const ENDED = /^lightflow: run \d+ of \S+ ended /;

/** Triggers every task once (IN_FLIGHT requests at a time) and resolves when all their runs ended (P5, P13). */
export async function throughputRound(server: Server, names: string[]): Promise<{ rate: number; cpuMsPerRun: number }> {
  let ended = 0;
  let allEnded = () => {};
  const done = new Promise<void>((r) => (allEnded = r));
  const off = server.onLine((l) => {
    if (ENDED.test(l) && ++ended === names.length) allEnded();
  });
  const meter = new UsageMeter(server.pid, 200);
  const t0 = performance.now();
  try {
    let next = 0;
    const sender = async () => {
      while (next < names.length) {
        const res = await server.call("POST", `/api/tasks/${names[next++]}/runs`);
        await res.arrayBuffer();
        if (res.status !== 202) throw new Error(`trigger: ${res.status}`);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, sender));
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      done,
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`only ${ended} of ${names.length} runs ended within 120 s`)), 120_000))),
    ]);
    clearTimeout(timer);
    const s = (performance.now() - t0) / 1000;
    return { rate: names.length / s, cpuMsPerRun: meter.stop().cpuNs / 1e6 / names.length };
  } finally {
    off();
    meter.stop();
  }
}

export const throughput: Bench = async (ctx) => {
  const rounds = ctx.quick ? 1 : 3;
  const names = Array.from({ length: TASKS }, (_, i) => `t${String(i).padStart(4, "0")}`);
  const data = await ctx.gate.run("P5 setup", 1000, () => buildData("throughput", { tasks: names.map((name) => ({ name, steps: [step("run", "true")] })) }));
  let server: Server | undefined;
  const rates: number[] = [];
  const baseRates: number[] = [];
  const cpu: number[] = [];
  try {
    server = await ctx.gate.run("P5 start", 3000, () =>
      startServer({ dir: data.dir, token: data.token, env: { LIGHTFLOW_GLOBAL_CONCURRENCY: "4" } }),
    );
    await ctx.gate.run("P5 warm-up", 4000, async () => {
      await throughputRound(server!, names.slice(0, 100));
      await spawnRate(100, 4);
    });
    for (let i = 0; i < rounds; i++) {
      await ctx.gate.run("P5 baseline", 3000, async () => baseRates.push(await spawnRate(TASKS, 4)));
      await ctx.gate.run("P5", 12_000, async () => {
        const r = await throughputRound(server!, names);
        rates.push(r.rate);
        cpu.push(r.cpuMsPerRun);
      });
    }
  } finally {
    await server?.stop();
    data.cleanup();
  }
  const rate = median(rates);
  const base = median(baseRates);
  return [
    {
      id: "P5",
      what: "throughput",
      figure: `${rate.toFixed(0)} runs/s`,
      baseline: `${base.toFixed(0)} spawns/s`,
      ratio: `${((rate / base) * 100).toFixed(1)} %`,
      target: "≥ 50 % of baseline",
      verdict: verdict(rate >= base * 0.5),
      note:
        `median of ${rounds} round(s) of 1,000 triggers (${IN_FLIGHT} POSTs in flight) → last "run ended" line, after a 100-run warm-up; ` +
        `rounds: ${rates.map((r) => r.toFixed(0)).join(", ")} runs/s vs ${baseRates.map((r) => r.toFixed(0)).join(", ")} spawns/s; ` +
        `server CPU ${median(cpu).toFixed(2)} ms per run (HTTP trigger included).`,
    },
  ];
};
