// P1 idle cost and P2 idle memory: the compiled server with 200 tasks not due
// for hours and 50 k runs, nobody connected, side by side with the compiled
// empty Bun.serve, both measured over the same window.
//
// The window opens SETTLE_S after both servers listen. Measured on this
// machine, any Bun process ticks a 1-second GC timer with its helper threads
// for ~35 s after start-up (~15 wake-ups/s, the empty server too), and
// Lightflow runs its first retention pass 60 s after start (then once a day),
// which wakes that timer again for a few seconds. Idle is what follows; the
// settling phase is reported in the note for both processes, not hidden.
//
// P1 runs in the background from the start of the bench (settling costs no
// bench time); the gate keeps every other benchmark out of its window.
import { compileEmptyServer, startEmpty, type Child } from "./lib/baseline.ts";
import { sleep } from "./lib/clock.ts";
import { buildData, farCron, step } from "./lib/data.ts";
import { rssKiB, UsageMeter, type Usage } from "./lib/proc.ts";
import { startServer, type Server } from "./lib/server.ts";
import { mib } from "./lib/stats.ts";
import { errorRows, ratio, verdict, type Background, type Ctx, type Row } from "./lib/types.ts";

export const SETTLE_S = 80;

export function idleData(label: string) {
  const cron = farCron();
  const tasks = Array.from({ length: 200 }, (_, i) => ({
    name: `idle-${String(i).padStart(3, "0")}`,
    cron,
    steps: [step("fetch", "true"), step("store", "true")],
  }));
  return buildData(label, { tasks, history: { runs: 50_000 } });
}

const perMinute = (u: Usage) => u.cpuNs / 1e6 / (u.ms / 60_000);
const perSecond = (u: Usage) => u.wakeups / (u.ms / 1000);
const brief = (u: Usage) => `${(u.cpuNs / 1e6).toFixed(1)} ms CPU, ${u.wakeups} wake-ups`;

export function startIdle(ctx: Ctx): Background {
  let ready = () => {};
  const readyP = new Promise<void>((r) => (ready = r));
  const done = (async (): Promise<Row[]> => {
    const seconds = ctx.quick ? 15 : 60;
    const [data, empty] = await ctx.gate.run("P1 setup", 4000, async () => [idleData("idle"), await compileEmptyServer()] as const);
    let lf: Server | undefined;
    let bs: Child | undefined;
    try {
      lf = await ctx.gate.run("P1 start", 2000, () => startServer({ dir: data.dir, token: data.token }));
      bs = await ctx.gate.run("P1 start", 2000, () => startEmpty(empty.path));
      const settleMeters = [new UsageMeter(lf.pid), new UsageMeter(bs.pid)];
      const opens = Date.now() + SETTLE_S * 1000;
      const window = { start: opens - 1000, end: opens + seconds * 1000 + 500 };
      ctx.gate.reserve(window);
      ready();
      ctx.log(`P1/P2: data built in ${data.buildMs.toFixed(0)} ms; idle window ${new Date(opens).toISOString().slice(11, 19)} UTC + ${seconds} s`);
      await sleep(opens - Date.now());
      const [su, sb] = settleMeters.map((m) => m.stop()) as [Usage, Usage];
      const meters = [new UsageMeter(lf.pid), new UsageMeter(bs.pid)];
      const t0 = Date.now();
      await sleep(seconds * 1000);
      const [u, b] = meters.map((m) => m.stop()) as [Usage, Usage];
      const disturbed = ctx.gate.overlapping(t0, Date.now());
      const rss = rssKiB(lf.pid);
      const baseRss = rssKiB(bs.pid);
      const cpuRatio = u.cpuNs / b.cpuNs;
      const wakes = perSecond(u);
      const gone = u.threadsGone + b.threadsGone;
      return [
        {
          id: "P1",
          what: "idle cost",
          figure: `${perMinute(u).toFixed(2)} ms CPU/min, ${wakes.toFixed(2)} wake-ups/s`,
          baseline: `${perMinute(b).toFixed(2)} ms/min, ${perSecond(b).toFixed(2)}/s`,
          ratio: ratio(u.cpuNs, b.cpuNs),
          target: "≤ 1.5× CPU, ≤ 1 wake-up/s",
          verdict: verdict(cpuRatio <= 1.5 && wakes <= 1),
          note:
            `${seconds} s window opening ${SETTLE_S} s after both servers listened; CPU from per-thread schedstat, wake-ups from per-thread ` +
            `voluntary+nonvoluntary context switches, summed over ${u.threads} threads (baseline ${b.threads})` +
            (gone ? `; ${gone} thread(s) ended inside the window` : "") +
            `. Settling (the ${SETTLE_S} s before, with Bun's GC timer and the first retention pass): Lightflow ${brief(su)}, empty server ${brief(sb)}. ` +
            `Baseline: an empty Bun.serve compiled with bun build --compile` +
            (disturbed.length ? `; other benchmark work overlapped the window (${disturbed.map((d) => d.label).join(", ")})` : "") +
            ".",
        },
        {
          id: "P2",
          what: "idle memory",
          figure: `RSS ${mib(rss)}`,
          baseline: `RSS ${mib(baseRss)}`,
          ratio: ratio(rss, baseRss),
          target: "≤ 45 MiB",
          verdict: verdict(rss <= 45 * 1024),
          note: "VmRSS at the end of the P1 window.",
        },
      ];
    } finally {
      ready();
      await lf?.stop();
      await bs?.stop();
      empty.cleanup();
      data.cleanup();
    }
  })().catch((e) => errorRows(["P1", "P2"], e));
  return { ready: readyP, done };
}
