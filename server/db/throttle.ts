// The sign-in throttle's counts in the database, for a cluster: every node
// counts the same failures (auth/throttle.ts). One node keeps them in memory.
import type { SqlDb } from "./sql.ts";
import { THROTTLE_WINDOW_MS, type ThrottleState, type ThrottleStore } from "../auth/throttle.ts";

interface Row {
  failures: string;
  blocked_until: number;
}

const state = (r: Row): ThrottleState => ({ failures: JSON.parse(r.failures) as number[], blockedUntil: Number(r.blocked_until) });

export class SqlThrottleStore implements ThrottleStore {
  constructor(private readonly db: SqlDb) {}

  get(key: string): ThrottleState | null {
    const r = this.db.query<Row, [string]>("SELECT failures, blocked_until FROM throttle WHERE key = ?").get(key);
    return r ? state(r) : null;
  }

  change(key: string, now: number, fn: (s: ThrottleState) => ThrottleState | null): ThrottleState | null {
    return this.db.transaction(() => {
      // the upsert locks the key's row until the commit: two nodes counting at once count one after the other
      const r = this.db
        .query<Row, [string, number]>(
          `INSERT INTO throttle (key, failures, blocked_until, last_at) VALUES (?, '[]', 0, ?)
           ON CONFLICT (key) DO UPDATE SET key = excluded.key RETURNING failures, blocked_until`,
        )
        .get(key, now)!;
      const next = fn(state(r));
      if (!next || (next.failures.length === 0 && next.blockedUntil <= now)) this.db.query("DELETE FROM throttle WHERE key = ?").run(key);
      else {
        this.db
          .query("UPDATE throttle SET failures = ?, blocked_until = ?, last_at = ? WHERE key = ?")
          .run(JSON.stringify(next.failures), next.blockedUntil, Math.max(now, next.failures.at(-1) ?? 0), key);
      }
      // keys that count nothing any more: sign-ins are rare, so tidying here costs little
      this.db.query("DELETE FROM throttle WHERE last_at < ? AND blocked_until <= ?").run(now - THROTTLE_WINDOW_MS, now);
      return next;
    });
  }
}
