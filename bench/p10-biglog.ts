// P10 big logs: a finished step whose log is 200 MiB. The UI's first screen of
// a log is one request, GET …/log?tail=65536&limit=65536 (client/src/components/
// LogViewer/createLog.ts, loadTail): it is what is timed here, client-side from
// sending to the last byte, with plain ?tail=65536 next to it.
// Baseline: GET /api/alive on the same server, interleaved.
import { Database } from "bun:sqlite";
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { stepLogPath } from "../server/engine/logs.ts";
import { buildData, step } from "./lib/data.ts";
import { timedGet } from "./lib/probes.ts";
import { startServer, type Server } from "./lib/server.ts";
import { ms, summarize } from "./lib/stats.ts";
import { ratio, verdict, type Bench } from "./lib/types.ts";

const SIZE = 200 * 1024 * 1024;

function writeBigLog(path: string): void {
  mkdirSync(join(path, ".."), { recursive: true });
  const lines: string[] = [];
  for (let i = 0; lines.join("").length < 1024 * 1024; i++) lines.push(`2026-11-23T03:00:00.${String(i % 1000).padStart(3, "0")}Z line ${i} of a long export: rows copied, checksum ok\n`);
  const block = Buffer.from(lines.join("")).subarray(0, 1024 * 1024);
  const fd = openSync(path, "w", 0o600);
  try {
    for (let done = 0; done < SIZE; done += block.length) writeSync(fd, block);
  } finally {
    closeSync(fd);
  }
}

export const bigLog: Bench = async (ctx) => {
  const n = ctx.quick ? 30 : 100;
  const warm = 5;
  const data = await ctx.gate.run("P10 setup", 5000, () => buildData("biglog", { tasks: [{ name: "export", steps: [step("dump", "true")] }], history: { runs: 1 } }));
  let server: Server | undefined;
  const ui: number[] = [];
  const tail: number[] = [];
  const base: number[] = [];
  try {
    const db = new Database(join(data.dir, "lightflow.db"));
    const runId = db.query<{ id: number }, []>("SELECT id FROM runs").get()!.id;
    db.query("UPDATE step_runs SET log_bytes = ? WHERE run_id = ?").run(SIZE, runId);
    db.close();
    await ctx.gate.run("P10 setup", 5000, () => writeBigLog(stepLogPath(join(data.dir, "logs"), "export", runId, 1, "dump")));
    server = await ctx.gate.run("P10 start", 3000, () => startServer({ dir: data.dir, token: data.token }));
    const path = `/api/runs/${runId}/steps/1/log`;
    for (let i = 0; i < warm + n; i++) {
      await ctx.gate.run("P10", 500, async () => {
        const u = await timedGet(server!, `${path}?tail=65536&limit=65536`);
        const t = await timedGet(server!, `${path}?tail=65536`);
        const a = await timedGet(server!, "/api/alive", false);
        if (u.bytes !== 65536 || t.bytes !== 65536) throw new Error(`tail: expected 65536 bytes, got ${u.bytes} and ${t.bytes}`);
        if (i < warm) return;
        ui.push(u.ms);
        tail.push(t.ms);
        base.push(a.ms);
      });
    }
  } finally {
    await server?.stop();
    await ctx.gate.run("P10 cleanup", 3000, () => data.cleanup());
  }
  const s = summarize(ui);
  const t = summarize(tail);
  const b = summarize(base);
  return [
    {
      id: "P10",
      what: "big logs",
      figure: `p50 ${ms(s.p50)}, p99 ${ms(s.p99)}`,
      baseline: `/api/alive p50 ${ms(b.p50)}`,
      ratio: ratio(s.p50, b.p50),
      target: "≤ 20 ms",
      verdict: verdict(s.p99 <= 20),
      note:
        `${n} requests after ${warm} warm-up on a 200 MiB log (in the page cache): the UI's first screen ?tail=65536&limit=65536, ` +
        `client-timed to the last byte (an upper bound of server time); plain ?tail=65536 p50 ${ms(t.p50)}, p99 ${ms(t.p99)}. ` +
        `The UI asks only for this 64 KiB tail, never the whole file.`,
    },
  ];
};
