// P7 (cron accuracy) runs for minutes in the background while the other
// benchmarks run. Around each of its fire times the machine must be quiet,
// both for P7's sake and for theirs: heavy work asks the gate for room first,
// and the gate waits until the next quiet window is far enough away. Each piece
// of gated work is recorded, so P7 can report a fire that was not kept quiet.

export interface Window {
  start: number;
  end: number;
}

export interface Busy {
  label: string;
  start: number;
  end: number;
}

export class Gate {
  private windows: Window[] = [];
  readonly busy: Busy[] = [];
  waitedMs = 0;

  /** P7 announces its quiet windows (wall-clock ms). */
  reserve(w: Window): void {
    this.windows.push(w);
  }

  /** Ends a window early (its runs all ended). */
  release(start: number, at = Date.now()): void {
    for (const w of this.windows) if (w.start === start) w.end = Math.min(w.end, at);
  }

  clear(): void {
    this.windows = [];
  }

  private async room(ms: number): Promise<void> {
    for (let i = 0; i < 2000; i++) {
      const now = Date.now();
      const w = this.windows.find((x) => x.end > now && x.start < now + ms);
      if (!w) return;
      // in short steps: a window can end early (P7 releases it once its runs ended)
      const wait = Math.min(250, Math.max(10, w.end - now + 50));
      this.waitedMs += wait;
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  /** Runs `fn` once no quiet window falls within the next `estMs`, and records how long it really took. */
  async run<T>(label: string, estMs: number, fn: () => Promise<T> | T): Promise<T> {
    await this.room(estMs);
    const start = Date.now();
    try {
      return await fn();
    } finally {
      this.busy.push({ label, start, end: Date.now() });
    }
  }

  /** Gated work that overlapped the window [start, end]. */
  overlapping(start: number, end: number): Busy[] {
    return this.busy.filter((b) => b.start < end && b.end > start);
  }
}
