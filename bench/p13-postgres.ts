// P13 PostgreSQL: P4 (trigger → first byte) and P5 (1,000 one-step runs) with
// the store on PostgreSQL (LIGHTFLOW_DATABASE_URL; a local cluster from
// Debian's package, fsync on), beside the same two on SQLite in the same run,
// alternated round by round. Targets (issue 16): trigger p50 ≤ 10 ms,
// throughput ≥ 50 % of the SQLite figure.
import { pgCluster, freshDatabase, stopPostgres } from "../tests/helpers/pg.ts";
import { removeTempDirs } from "../tests/helpers/tmp.ts";
import { recalibrate } from "./lib/clock.ts";
import { buildData, buildPostgresData, step, type DataDir, type DataSpec } from "./lib/data.ts";
import { DATE_STEP, triggerOnce } from "./lib/probes.ts";
import { startServer, type Server } from "./lib/server.ts";
import { ms, median, summarize } from "./lib/stats.ts";
import { verdict, type Bench } from "./lib/types.ts";
import { throughputRound } from "./p05-throughput.ts";

const PROBES = 20;
const TASKS = 1000;
const probe = (i: number) => `probe${String(i).padStart(2, "0")}`;
const worker = (i: number) => `t${String(i).padStart(4, "0")}`;

const SPEC: DataSpec = {
  tasks: [
    ...Array.from({ length: PROBES }, (_, i) => ({ name: probe(i), steps: [step("date", DATE_STEP.command, DATE_STEP.args)] })),
    ...Array.from({ length: TASKS }, (_, i) => ({ name: worker(i), steps: [step("run", "true")] })),
  ],
};

interface Figures {
  lat: number[];
  rates: number[];
}

async function measure(data: DataDir, env: Record<string, string>, triggers: number, f: Figures): Promise<void> {
  let server: Server | undefined;
  try {
    server = await startServer({ dir: data.dir, token: data.token, env: { LIGHTFLOW_GLOBAL_CONCURRENCY: "4", ...env } });
    recalibrate();
    for (let i = 0; i < 10 + triggers; i++) {
      const s = await triggerOnce(server, probe(i % PROBES));
      if (i >= 10) f.lat.push(s.firstByte);
    }
    await throughputRound(server, Array.from({ length: 100 }, (_, i) => worker(i))); // warm-up
    f.rates.push((await throughputRound(server, Array.from({ length: TASKS }, (_, i) => worker(i)))).rate);
  } finally {
    await server?.stop();
  }
}

export const postgres: Bench = async (ctx) => {
  const rounds = ctx.quick ? 1 : 2;
  const triggers = ctx.quick ? 50 : 150;
  await pgCluster({ durable: true });
  const sqlite: Figures = { lat: [], rates: [] };
  const pg: Figures = { lat: [], rates: [] };
  try {
    for (let r = 0; r < rounds; r++) {
      const lite = buildData("p13-sqlite", SPEC);
      await ctx.gate.run("P13 sqlite", 15_000, () => measure(lite, {}, triggers, sqlite)).finally(() => lite.cleanup());
      const url = await freshDatabase();
      const pgData = buildPostgresData("p13-pg", SPEC, url);
      await ctx.gate.run("P13 postgres", 20_000, () => measure(pgData, { LIGHTFLOW_DATABASE_URL: url }, triggers, pg)).finally(() => pgData.cleanup());
    }
  } finally {
    stopPostgres();
    removeTempDirs(); // the cluster's directory
  }
  const [sl, pl] = [summarize(sqlite.lat), summarize(pg.lat)];
  const [sr, pr] = [median(sqlite.rates), median(pg.rates)];
  return [
    {
      id: "P13",
      what: "PostgreSQL: trigger latency",
      figure: `p50 ${ms(pl.p50)}, p99 ${ms(pl.p99)}`,
      baseline: `SQLite p50 ${ms(sl.p50)}, p99 ${ms(sl.p99)}`,
      ratio: `${(pl.p50 / sl.p50).toFixed(2)}×`,
      target: "p50 ≤ 10 ms",
      verdict: verdict(pl.p50 <= 10),
      note: `${triggers} triggers per round × ${rounds} rounds, alternated with SQLite on the same data (20 probe tasks, 1,000 one-step tasks); local PostgreSQL ${"15"} with fsync on, loopback.`,
    },
    {
      id: "P13",
      what: "PostgreSQL: throughput",
      figure: `${pr.toFixed(0)} runs/s`,
      baseline: `SQLite ${sr.toFixed(0)} runs/s`,
      ratio: `${((pr / sr) * 100).toFixed(1)} %`,
      target: "≥ 50 % of SQLite",
      verdict: verdict(pr >= sr * 0.5),
      note: `1,000 one-step runs per round (global concurrency 4, 16 POSTs in flight), after a 100-run warm-up; rounds: PostgreSQL ${pg.rates.map((r) => r.toFixed(0)).join(", ")}, SQLite ${sqlite.rates.map((r) => r.toFixed(0)).join(", ")} runs/s.`,
    },
  ];
};
