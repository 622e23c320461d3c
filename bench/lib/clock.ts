// Wall-clock time with microsecond resolution, comparable with `date +%s%N`
// in another process. Date.now() has only milliseconds; performance.now() is
// fine-grained but monotonic and may drift from the wall clock, so its offset
// is taken at a millisecond edge of Date.now() (exact to a few µs) and taken
// again before each benchmark.
let offset = calibrate();

function calibrate(): number {
  const start = Date.now();
  let t = start;
  // spin at most ~2 ms until Date.now() ticks: at that instant the wall clock is exactly t
  for (let i = 0; i < 1e7 && t === start; i++) t = Date.now();
  return t - (performance.timeOrigin + performance.now());
}

export function recalibrate(): void {
  offset = calibrate();
}

/** Milliseconds since the epoch, with a fraction. */
export function wallMs(): number {
  return performance.timeOrigin + performance.now() + offset;
}

/** `date +%s%N` output (nanoseconds since the epoch) as fractional milliseconds. */
export function nsToMs(text: string): number {
  const s = text.trim();
  if (!/^\d{19}$/.test(s)) throw new Error(`not a nanosecond timestamp: "${s.slice(0, 40)}"`);
  return Number(s.slice(0, 13)) + Number(s.slice(13)) / 1e6;
}

export const sleep = (msec: number) => new Promise<void>((r) => setTimeout(r, msec));
