// Scales for the run-duration chart: round steps a person reads at a glance
// (5 s, 2 min, 1 h), and short labels for them.

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const STEPS = [
  10, 20, 50, 100, 200, 500,
  S, 2 * S, 5 * S, 10 * S, 15 * S, 30 * S,
  MIN, 2 * MIN, 5 * MIN, 10 * MIN, 15 * MIN, 30 * MIN,
  H, 2 * H, 3 * H, 6 * H, 12 * H, 24 * H, 48 * H, 168 * H,
];

/** The top of the y axis and its step, for durations up to `max` ms: at most 4 steps. */
export function durationScale(max: number): { top: number; step: number } {
  const step = STEPS.find((s) => max / s <= 4) ?? Math.ceil(max / 4 / (24 * H)) * 24 * H;
  return { top: Math.max(step, Math.ceil(max / step) * step), step };
}

/** "500 ms", "15 s", "2 min", "1 h 30 min": for round values. */
export function tickLabel(ms: number): string {
  if (ms === 0) return "0";
  if (ms < S) return `${ms} ms`;
  if (ms < MIN) return `${+(ms / S).toFixed(1)} s`;
  if (ms < H) return ms % MIN ? `${Math.floor(ms / MIN)} min ${Math.round((ms % MIN) / S)} s` : `${ms / MIN} min`;
  const m = Math.round((ms % H) / MIN);
  return m ? `${Math.floor(ms / H)} h ${m} min` : `${ms / H} h`;
}
