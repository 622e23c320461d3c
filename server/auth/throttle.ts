// Login throttling, per account and per client address. After `limit` failures
// inside the window, each further attempt must wait; the wait doubles with each
// failure and is capped, and failures older than the window are forgotten, so an
// attacker can slow an account down but never lock it out for good.
//
// An attempt is counted as a failure when it starts (`attempt`), before the slow
// password hash, and forgiven when it turns out right: forty guesses sent at once
// get `limit` hashes, not forty, because each one sees the ones before it.
//
// Where the counts live is a ThrottleStore: in memory on one node; in the
// database on a cluster (db/throttle.ts), so guesses spread over the nodes
// count as if sent to one. Each change of a key is atomic there.

const WINDOW_MS = 15 * 60_000;
const FIRST_WAIT_MS = 30_000;
const MAX_WAIT_MS = 15 * 60_000;
const MAX_KEYS = 10_000;
/** a key whose last failure is older than this, and that blocks nothing, is forgotten */
export const THROTTLE_WINDOW_MS = WINDOW_MS;

export interface ThrottleState {
  failures: number[];
  blockedUntil: number;
}

export interface ThrottleStore {
  get(key: string): ThrottleState | null;
  /** `fn` on the key's state (empty when none) as one atomic change; null deletes the key. Returns what `fn` returned. */
  change(key: string, now: number, fn: (s: ThrottleState) => ThrottleState | null): ThrottleState | null;
}

/** One node's counts, in insertion order of the last change (the oldest are pruned first). */
export class MemoryThrottleStore implements ThrottleStore {
  private readonly keys = new Map<string, ThrottleState>();

  get(key: string): ThrottleState | null {
    return this.keys.get(key) ?? null;
  }

  change(key: string, now: number, fn: (s: ThrottleState) => ThrottleState | null): ThrottleState | null {
    const next = fn(this.keys.get(key) ?? { failures: [], blockedUntil: 0 });
    this.keys.delete(key); // re-insert: the map stays in order of last change
    if (next) this.keys.set(key, next);
    if (this.keys.size > MAX_KEYS) this.prune(now);
    return next;
  }

  private prune(now: number): void {
    for (const [k, s] of this.keys) {
      if (this.keys.size <= MAX_KEYS / 2) break;
      if (now - (s.failures.at(-1) ?? 0) >= WINDOW_MS && s.blockedUntil <= now) this.keys.delete(k);
      else break; // the rest changed more recently
    }
  }
}

export class Throttle {
  /** `prefix`: keeps two throttles' keys apart in one store */
  constructor(
    private readonly limit: number,
    private readonly store: ThrottleStore = new MemoryThrottleStore(),
    private readonly prefix = "",
  ) {}

  /** ms to wait before the next attempt (0: go ahead) */
  waitFor(key: string, now: number): number {
    const s = this.store.get(this.prefix + key);
    return s ? Math.max(0, s.blockedUntil - now) : 0;
  }

  /**
   * Starts an attempt: 0 when it may go ahead (it is counted as a failure until
   * `forgive` says otherwise), else the ms to wait (nothing counted). The check
   * and the count are one change of the store.
   */
  attempt(key: string, now: number): number {
    let wait = 0;
    this.store.change(this.prefix + key, now, (s) => {
      wait = Math.max(0, s.blockedUntil - now);
      return wait > 0 ? s : this.failed(s, now);
    });
    return wait;
  }

  /** An attempt started at `at` was right after all: it no longer counts. */
  forgive(key: string, at: number): void {
    if (!this.store.get(this.prefix + key)) return;
    this.store.change(this.prefix + key, at, (s) => {
      const i = s.failures.lastIndexOf(at);
      if (i === -1) return s;
      const failures = s.failures.filter((_, j) => j !== i);
      const over = failures.length - this.limit;
      return { failures, blockedUntil: over >= 0 ? failures.at(-1)! + Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** over) : 0 };
    });
  }

  fail(key: string, now: number): void {
    this.store.change(this.prefix + key, now, (s) => this.failed(s, now));
  }

  clear(key: string): void {
    if (this.store.get(this.prefix + key)) this.store.change(this.prefix + key, 0, () => null);
  }

  private failed(s: ThrottleState, now: number): ThrottleState {
    const failures = s.failures.filter((t) => now - t < WINDOW_MS);
    failures.push(now);
    const over = failures.length - this.limit;
    return { failures, blockedUntil: over >= 0 ? now + Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** over) : s.blockedUntil };
  }
}
