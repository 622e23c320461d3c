// What the engine could not write while the store was unavailable (PostgreSQL
// restarting, the network gone), kept in order and done when it is back. A
// step that ends during an outage has its end written afterwards; a schedule
// that fires during one is fired late, once (its fire time keeps its one run).
// Nothing here polls: the store says when it is back (Stores.onAvailability).
import { StoreUnavailable } from "./stores.ts";

export class Outage {
  private readonly pending: { what: string; fn: () => void }[] = [];

  constructor(private readonly log: (line: string) => void) {}

  /** true while something waits for the store */
  get waiting(): boolean {
    return this.pending.length > 0;
  }

  /**
   * Does `fn` now, or, when the store is unavailable (or earlier work still
   * waits, so the order holds), once it is back. Other errors are thrown.
   */
  do(what: string, fn: () => void): void {
    if (this.pending.length > 0) {
      this.pending.push({ what, fn });
      return;
    }
    try {
      fn();
    } catch (e) {
      if (!(e instanceof StoreUnavailable)) throw e;
      this.log(`the database is unavailable (${e.message}); keeping ${what} until it is back`);
      this.pending.push({ what, fn });
    }
  }

  /** The store is back: does what waited, in order, until it is all done or the store goes again. */
  resume(): void {
    let done = 0;
    while (this.pending.length > 0) {
      const { what, fn } = this.pending[0]!;
      try {
        fn();
      } catch (e) {
        if (e instanceof StoreUnavailable) break;
        console.error(`lightflow: ${what} failed after the database came back: ${(e as Error).stack}`);
      }
      this.pending.shift();
      done++;
    }
    if (done > 0) this.log(`wrote ${done} change(s) kept while the database was unavailable${this.pending.length ? `; ${this.pending.length} still wait` : ""}`);
  }
}
