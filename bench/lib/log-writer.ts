// The step of P9: writes `rate` bytes per second to stdout for `seconds`, as
// 1 KiB lines, one write every 10 ms. Every line starts with the wall-clock
// time (ms, µs fraction) of the write that carries it. Run by the server as a
// step: `bun log-writer.ts <rate> <seconds>`.
import { writeSync } from "node:fs";
import { wallMs } from "./clock.ts";

const rate = Number(process.argv[2] ?? 1048576);
const seconds = Number(process.argv[3] ?? 10);
const TICK = 10;
const LINE = 1024;
const perTick = Math.max(1, Math.round((rate * TICK) / 1000 / LINE));
const pad = "x".repeat(LINE);

const start = performance.now();
let seq = 0;
for (let k = 0; performance.now() - start < seconds * 1000; k++) {
  const due = start + k * TICK;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const stamp = wallMs().toFixed(3);
  let block = "";
  for (let i = 0; i < perTick; i++) {
    const head = `${stamp} ${seq++} `;
    block += head + pad.slice(0, LINE - head.length - 1) + "\n";
  }
  const buf = Buffer.from(block);
  for (let done = 0; done < buf.length; ) done += writeSync(1, buf, done);
}
