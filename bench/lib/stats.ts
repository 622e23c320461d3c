// Percentiles from raw samples (nearest rank): no histogram buckets, no smoothing.

export interface Summary {
  n: number;
  min: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(samples: readonly number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return { n: s.length, min: s[0] ?? NaN, p50: percentile(s, 50), p99: percentile(s, 99), max: s.at(-1) ?? NaN, mean };
}

export const median = (xs: readonly number[]) => percentile([...xs].sort((a, b) => a - b), 50);

/** 1.23 ms, 456 ms, 12.3 s */
export function ms(x: number): string {
  if (!Number.isFinite(x)) return "—";
  if (Math.abs(x) >= 10_000) return `${(x / 1000).toFixed(1)} s`;
  if (Math.abs(x) >= 100) return `${x.toFixed(0)} ms`;
  if (Math.abs(x) >= 10) return `${x.toFixed(1)} ms`;
  return `${x.toFixed(2)} ms`;
}

export const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;
