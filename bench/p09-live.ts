// P9 live logs: one step writes 1 MiB/s (1 KiB lines, a write every 10 ms,
// each line starting with its write time) and 100 WebSocket viewers follow it
// (/api/runs/:run/steps/1/log/ws). Latency is write → received for the oldest
// line that starts in each message (so a message carrying several writes
// counts as its oldest one); server CPU is its per-thread schedstat over the
// same window. The viewers parse only the head of each line, not the JSON, so
// the bench client stays light next to the server on 2 cores.
import { join } from "node:path";
import { recalibrate, sleep, wallMs } from "./lib/clock.ts";
import { buildData, step } from "./lib/data.ts";
import { UsageMeter, type Usage } from "./lib/proc.ts";
import { startServer, type Server } from "./lib/server.ts";
import { ms, summarize } from "./lib/stats.ts";
import { verdict, type Bench } from "./lib/types.ts";

const VIEWERS = 100;
const RATE = 1024 * 1024;
const NL = "\\n"; // a newline as it appears inside the JSON string

interface Viewer {
  ws: WebSocket;
  closed: { code: number; reason: string } | null;
  /** the server's "end" message came: a close after it is the normal end, not a drop */
  ended: boolean;
}

/** The write time at each line start in one JSON message (as text); the oldest one. */
function oldestStamp(msg: string, atLineStart: boolean): { stamp: number | null; endsLine: boolean } {
  const d = msg.indexOf('"data":"');
  if (d === -1) return { stamp: null, endsLine: atLineStart };
  const from = d + 8;
  const end = msg.length - 2; // before "}
  let at = atLineStart ? from : msg.indexOf(NL, from);
  if (at !== -1 && !atLineStart) at += 2;
  const endsLine = msg.endsWith(`${NL}"}`);
  if (at === -1 || at >= end) return { stamp: null, endsLine };
  const sp = msg.indexOf(" ", at);
  const stamp = sp === -1 ? NaN : Number(msg.slice(at, sp));
  return { stamp: Number.isFinite(stamp) ? stamp : null, endsLine };
}

export const live: Bench = async (ctx) => {
  const windowS = ctx.quick ? 8 : 20;
  const warmS = 3;
  const stepS = warmS + windowS + 3;
  const writer = join(import.meta.dir, "lib", "log-writer.ts");
  const data = buildData("live", {
    tasks: [{ name: "stream", steps: [step("write", process.execPath, [writer, String(RATE), String(stepS)], stepS + 60)] }],
  }); // one task, no history: a few ms
  let server: Server | undefined;
  const viewers: Viewer[] = [];
  const lat: number[] = [];
  let usage: Usage | undefined;
  let logBytes = 0;
  let dropped: number[] = [];
  try {
    server = await ctx.gate.run("P9 start", 3000, () => startServer({ dir: data.dir, token: data.token }));
    const srv = server;
    recalibrate();
    await ctx.gate.run("P9", (stepS + 5) * 1000, async () => {
      const res = await srv.call("POST", "/api/tasks/stream/runs");
      const run = (await res.json()) as { id: number };
      if (res.status !== 202) throw new Error(`trigger: ${res.status}`);
      let measuring = false;
      const wsUrl = `${srv.url.replace(/^http/, "ws")}/api/runs/${run.id}/steps/1/log/ws?offset=0`;
      await Promise.all(
        Array.from({ length: VIEWERS }, () => {
          const ws = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${data.token}` } } as unknown as string[]);
          const v: Viewer = { ws, closed: null, ended: false };
          let atLineStart = true;
          ws.onmessage = (e) => {
            const now = wallMs();
            const msg = e.data as string;
            if (msg.startsWith('{"type":"end"')) v.ended = true;
            const { stamp, endsLine } = oldestStamp(msg, atLineStart);
            atLineStart = endsLine;
            if (measuring && stamp !== null) lat.push(now - stamp);
          };
          ws.onclose = (e) => (v.closed = { code: e.code, reason: e.reason });
          viewers.push(v);
          return new Promise<void>((resolve, reject) => {
            ws.onopen = () => resolve();
            ws.onerror = () => reject(new Error("a viewer could not connect"));
          });
        }),
      );
      await sleep(warmS * 1000);
      const meter = new UsageMeter(srv.pid, 500);
      measuring = true;
      await sleep(windowS * 1000);
      measuring = false;
      usage = meter.stop();
      await srv.waitLine(new RegExp(`run ${run.id} of stream ended`), (stepS + 30) * 1000, true);
      const r = (await (await srv.call("GET", `/api/runs/${run.id}`)).json()) as { steps: { log_bytes: number; status: string }[] };
      logBytes = r.steps[0]!.log_bytes;
      // counted before the bench closes its own sockets: only what the server closed
      dropped = viewers.filter((v) => v.closed && !v.ended).map((v) => v.closed!.code);
    });
  } finally {
    for (const v of viewers) v.ws.close();
    await server?.stop();
    data.cleanup();
  }
  const s = summarize(lat);
  const cpu = usage ? (usage.cpuNs / 1e6 / usage.ms) * 100 : NaN;
  return [
    {
      id: "P9",
      what: "live logs",
      figure: `p99 ${ms(s.p99)} (p50 ${ms(s.p50)}), server CPU ${cpu.toFixed(1)} %`,
      baseline: "—",
      ratio: "—",
      target: "p99 ≤ 100 ms, CPU ≤ 25 %",
      verdict: verdict(s.p99 <= 100 && cpu <= 25 && dropped.length === 0),
      note:
        `${VIEWERS} viewers of one step writing ${(RATE / 1048576).toFixed(0)} MiB/s (it wrote ${(logBytes / 1048576).toFixed(1)} MiB in ${stepS} s); ` +
        `${s.n} messages timed over a ${windowS} s window after ${warmS} s; CPU is % of one core over the window` +
        (dropped.length ? `; ${dropped.length} viewer(s) were closed by the server before the end (codes ${[...new Set(dropped)].join(", ")})` : "; no viewer was dropped (each got its end message)") +
        ".",
    },
  ];
};
