// `bun run bench [--quick]`: builds dist/lightflow once, runs every benchmark
// of docs performance.md (P1–P12), P13 (PostgreSQL) and P14 (three nodes on one PostgreSQL) against it, and prints one table. P7 (cron
// accuracy) runs in the background from the start; the gate keeps the machine
// quiet around its fire times. `--only P4,P8` runs a subset, `--no-build`
// reuses dist/lightflow, `--readme` writes the table into bench/README.md.
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { Gate } from "./lib/gate.ts";
import { loadAverage } from "./lib/proc.ts";
import { BINARY, ROOT, killAll } from "./lib/server.ts";
import { markdownTable, notes, textTable } from "./lib/table.ts";
import { errorRows, type Background, type Bench, type Ctx, type Row } from "./lib/types.ts";
import { startIdle } from "./p01-idle.ts";
import { startup } from "./p03-startup.ts";
import { trigger } from "./p04-trigger.ts";
import { throughput } from "./p05-throughput.ts";
import { handover } from "./p06-handover.ts";
import { startCron } from "./p07-cron.ts";
import { grid } from "./p08-grid.ts";
import { live } from "./p09-live.ts";
import { bigLog } from "./p10-biglog.ts";
import { history } from "./p11-history.ts";
import { binary } from "./p12-binary.ts";
import { postgres } from "./p13-postgres.ts";
import { cluster } from "./p14-cluster.ts";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const onlyArg = args.find((a) => a.startsWith("--only"));
const only = onlyArg ? new Set((onlyArg.split("=")[1] ?? args[args.indexOf(onlyArg) + 1] ?? "").toUpperCase().split(",")) : null;
const wanted = (...ids: string[]) => !only || ids.some((id) => only.has(id));

const SEQUENCE: [string[], Bench][] = [
  [["P12"], binary],
  [["P3"], startup],
  [["P4"], trigger],
  [["P5"], throughput],
  [["P6"], handover],
  [["P8"], grid],
  [["P9"], live],
  [["P10"], bigLog],
  [["P11"], history],
  [["P13"], postgres],
  [["P14"], cluster],
];

function machine(): string {
  const cpu = cpus();
  return `${cpu.length} cores (${cpu[0]?.model ?? "?"}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Linux ${(Bun.spawnSync(["uname", "-r"]).stdout.toString().trim())}, Bun ${Bun.version}`;
}

async function build(log: (m: string) => void): Promise<void> {
  const t0 = performance.now();
  const p = Bun.spawn(["bun", "run", "build"], { cwd: ROOT, stdout: "pipe", stderr: "inherit" });
  const out = await new Response(p.stdout).text();
  if ((await p.exited) !== 0) throw new Error(`bun run build failed:\n${out}`);
  log(`${out.trim().split("\n").at(-1)} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

async function main(): Promise<number> {
  const started = Date.now();
  const loadBefore = loadAverage();
  const log = (m: string) => console.error(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${m}`);
  const ctx: Ctx = { quick, gate: new Gate(), log };
  log(`lightflow bench (${quick ? "quick" : "full"}) on ${machine()}; load average ${loadBefore}`);
  if (!args.includes("--no-build")) await build(log);
  else log(`using ${BINARY} as it is (--no-build)`);

  const rows: Row[] = [];
  // P7 and P1 run beside the others from the start; they reserve their quiet windows first
  const background: [string, Background][] = [];
  const add = async (name: string, b: Background) => {
    background.push([name, b]);
    await b.ready; // P1's own start-up must already see P7's windows
  };
  if (wanted("P7")) await add("P7", startCron(ctx));
  if (wanted("P1", "P2")) await add("P1/P2", startIdle(ctx));
  for (const [ids, bench] of SEQUENCE) {
    if (!wanted(...ids)) continue;
    log(`${ids.join("/")}…`);
    try {
      rows.push(...(await bench(ctx)));
    } catch (e) {
      rows.push(...errorRows(ids, e));
    }
    log(`${ids.join("/")} done`);
  }
  for (const [name, b] of background) {
    log(`${name}: waiting for it to finish`);
    rows.push(...(await b.done));
  }
  rows.sort((a, b) => parseInt(a.id.slice(1)) - parseInt(b.id.slice(1)) || a.id.localeCompare(b.id));

  const took = (Date.now() - started) / 1000;
  const when = new Date(started).toISOString().replace("T", " ").slice(0, 16) + " UTC";
  const header = `Lightflow bench, ${quick ? "quick" : "full"} run of ${when}, ${took.toFixed(0)} s; ${machine()}; load average ${loadBefore} before, ${loadAverage()} after`;
  console.log(`\n${header}\n\n${textTable(rows)}\n`);
  for (const n of notes(rows)) console.log(`- ${n}`);
  if (ctx.gate.waitedMs) console.log(`- the gate held benchmarks back ${(ctx.gate.waitedMs / 1000).toFixed(1)} s in all, keeping P7's fire times and P1's window quiet`);
  if (args.includes("--readme")) await writeReadme(header, rows);
  return rows.some((r) => r.verdict === "error") ? 1 : 0;
}

const START = "<!-- bench:table:start -->";
const END = "<!-- bench:table:end -->";

async function writeReadme(header: string, rows: Row[]): Promise<void> {
  const path = join(import.meta.dir, "README.md");
  const text = await Bun.file(path).text();
  const i = text.indexOf(START);
  const j = text.indexOf(END);
  if (i === -1 || j === -1) throw new Error(`bench/README.md has no ${START} … ${END} section`);
  const body = `${START}\n${header}.\n\n${markdownTable(rows)}\n\nNotes from the run:\n\n${notes(rows).map((n) => `- ${n}`).join("\n")}\n${END}`;
  await Bun.write(path, text.slice(0, i) + body + text.slice(j + END.length));
}

let code = 1;
const stop = async () => {
  await killAll();
  process.exit(130);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
try {
  code = await main();
} catch (e) {
  console.error(`bench: ${(e as Error).stack ?? e}`);
} finally {
  await killAll();
}
process.exit(code);
