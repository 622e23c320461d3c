// Time as a seam: the scheduler asks a Clock for "now" and for one timer, so
// tests can move time across a DST change or a three-hour downtime at once.

export interface Timer {
  cancel(): void;
}

export interface Clock {
  now(): number;
  /** Calls fn once at (or just after) `at`; the only timer the scheduler holds. */
  at(at: number, fn: () => void): Timer;
}

// setTimeout takes at most 2^31-1 ms (24.8 days); longer waits re-arm once then.
const MAX_DELAY = 2 ** 31 - 1;

export const systemClock = {
  now: () => Date.now(),
  at(at: number, fn: () => void): Timer {
    let handle: ReturnType<typeof setTimeout>;
    const arm = () => {
      const delay = at - Date.now();
      if (delay > MAX_DELAY) handle = setTimeout(arm, MAX_DELAY);
      else handle = setTimeout(fn, Math.max(0, delay));
    };
    arm();
    return { cancel: () => clearTimeout(handle) };
  },
} satisfies Clock;

/** A clock that moves only when told: for tests of schedules, DST and downtime. */
export class ManualClock implements Clock {
  private timers = new Set<{ at: number; fn: () => void }>();
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  at(at: number, fn: () => void): Timer {
    const timer = { at, fn };
    this.timers.add(timer);
    return { cancel: () => this.timers.delete(timer) };
  }
  /** Moves time forward to `to`, firing due timers in time order. */
  advanceTo(to: number): void {
    for (;;) {
      const due = [...this.timers].filter((x) => x.at <= to).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers.delete(due);
      this.t = Math.max(this.t, due.at);
      due.fn();
    }
    this.t = to;
  }
  pending(): number[] {
    return [...this.timers].map((x) => x.at).sort((a, b) => a - b);
  }
}
