// Login throttling, per account and per client address. After `limit` failures
// inside the window, each further attempt must wait; the wait doubles with each
// failure and is capped, and failures older than the window are forgotten, so an
// attacker can slow an account down but never lock it out for good.
//
// An attempt is counted as a failure when it starts (`attempt`), before the slow
// password hash, and forgiven when it turns out right: forty guesses sent at once
// get `limit` hashes, not forty, because each one sees the ones before it.

const WINDOW_MS = 15 * 60_000;
const FIRST_WAIT_MS = 30_000;
const MAX_WAIT_MS = 15 * 60_000;
const MAX_KEYS = 10_000;

interface State {
  failures: number[];
  blockedUntil: number;
}

export class Throttle {
  private readonly keys = new Map<string, State>();
  constructor(private readonly limit: number) {}

  /** ms to wait before the next attempt (0: go ahead) */
  waitFor(key: string, now: number): number {
    const s = this.keys.get(key);
    return s ? Math.max(0, s.blockedUntil - now) : 0;
  }

  /**
   * Starts an attempt: 0 when it may go ahead (it is counted as a failure until
   * `forgive` says otherwise), else the ms to wait (nothing counted).
   */
  attempt(key: string, now: number): number {
    const wait = this.waitFor(key, now);
    if (wait === 0) this.fail(key, now);
    return wait;
  }

  /** An attempt started at `at` was right after all: it no longer counts. */
  forgive(key: string, at: number): void {
    const s = this.keys.get(key);
    if (!s) return;
    const i = s.failures.lastIndexOf(at);
    if (i === -1) return;
    s.failures.splice(i, 1);
    const over = s.failures.length - this.limit;
    s.blockedUntil = over >= 0 ? s.failures.at(-1)! + Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** over) : 0;
  }

  fail(key: string, now: number): void {
    const s = this.keys.get(key) ?? { failures: [], blockedUntil: 0 };
    s.failures = s.failures.filter((t) => now - t < WINDOW_MS);
    s.failures.push(now);
    const over = s.failures.length - this.limit;
    if (over >= 0) s.blockedUntil = now + Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** over);
    this.keys.delete(key); // re-insert: the map stays in order of last failure
    this.keys.set(key, s);
    if (this.keys.size > MAX_KEYS) this.prune(now);
  }

  clear(key: string): void {
    this.keys.delete(key);
  }

  private prune(now: number): void {
    for (const [k, s] of this.keys) {
      if (this.keys.size <= MAX_KEYS / 2) break;
      if (now - (s.failures.at(-1) ?? 0) >= WINDOW_MS && s.blockedUntil <= now) this.keys.delete(k);
      else break; // the rest failed more recently
    }
  }
}
