// The reliability suite runs a quick version by default and the long one with
// `bun run test:soak` (LIGHTFLOW_SOAK=1).
export const SOAK = process.env.LIGHTFLOW_SOAK === "1";
export const pick = <T>(quick: T, soak: T): T => (SOAK ? soak : quick);

/** A small deterministic PRNG (mulberry32): failures can be replayed from the printed seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
