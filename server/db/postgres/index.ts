// PostgreSQL as a SqlDb (../sql.ts): the same statements as SQLite, with `?`
// numbered (dialect.ts), over one connection in a worker (bridge.ts).
//
// Inside a transaction, a statement whose answer nobody has asked for yet
// (`run`, and BEGIN/SAVEPOINT; `readLater` also outside one) waits in
// `pending` and goes with the next round trip: a transaction of writes is one round trip at its COMMIT, and a
// read takes the writes before it along. `run().changes` and any read send
// what waits first, so every answer is as if each statement had gone alone;
// a failure among them is thrown where the answer is taken (at the latest by
// transaction(), which then rolls back).
import { UnstorableText } from "../../engine/stores.ts";
import type { SqlDb, SqlStatement, SqlValue } from "../sql.ts";
import { Bridge } from "./bridge.ts";
import type { Event, Item, Result } from "./protocol.ts";

/** PostgreSQL refuses a NUL byte in text with an error about the encoding; say what it is before sending */
function storable<P extends SqlValue[]>(params: P): P {
  for (const p of params) if (typeof p === "string" && p.includes("\0")) throw new UnstorableText();
  return params;
}

class PgStatement<R, P extends SqlValue[]> implements SqlStatement<R, P> {
  constructor(private readonly db: PostgresDb, private readonly sql: string) {}

  get(...params: P): R | null {
    return (this.db.send({ sql: this.sql, params: storable(params), mode: "get" }).rows[0] as R | undefined) ?? null;
  }

  all(...params: P): R[] {
    return this.db.send({ sql: this.sql, params: storable(params), mode: "all" }).rows as R[];
  }

  run(...params: P): { changes: number } {
    return this.db.later({ sql: this.sql, params: storable(params), mode: "run" });
  }
}

export class PostgresDb implements SqlDb {
  readonly dialect = "postgres";
  private depth = 0;
  private readonly pending: { item: Item; out: Result }[] = [];
  private readonly listeners = new Set<(e: Event) => void>();
  private readonly bridge: Bridge;

  /** `nodeLock`: this is the connection of the server named so, the one live node of that name (worker.ts) */
  constructor(url: string, o: { nodeLock?: string | null; timeoutMs?: number } = {}) {
    this.bridge = new Bridge(url, o.nodeLock ?? null, o.timeoutMs ?? 25_000, (e) => {
      for (const l of this.listeners) l(e);
    });
  }

  /** hears the connection being lost and coming back */
  onEvent(listener: (e: Event) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  query<R, P extends SqlValue[]>(sql: string): SqlStatement<R, P> {
    return new PgStatement<R, P>(this, sql);
  }

  exec(sql: string): void {
    this.send({ sql, params: [], mode: "exec" });
  }

  /** `item` with whatever waits before it, in one round trip; its result */
  send(item: Item): Result {
    const out: Result = { rows: [], changes: -1 };
    this.pending.push({ item, out });
    this.flush();
    return out;
  }

  readLater<R>(sql: string, ...params: SqlValue[]): () => R[] {
    const out: Result = { rows: [], changes: -1 };
    this.pending.push({ item: { sql, params: storable(params), mode: "all" }, out });
    return () => {
      if (out.changes === -1) this.flush();
      return out.rows as R[];
    };
  }

  /** Outside a transaction: sent now. Inside: waits for the next round trip; `changes` sends it. */
  later(item: Item): { changes: number } {
    if (this.depth === 0) return { changes: this.send(item).changes };
    const out: Result = { rows: [], changes: -1 };
    this.pending.push({ item, out });
    const flush = () => {
      if (out.changes === -1) this.flush();
      return out.changes;
    };
    return {
      get changes() {
        return flush();
      },
    };
  }

  private flush(): void {
    const waiting = this.pending.splice(0);
    if (!waiting.length) return;
    const results = this.bridge.batch(waiting.map((w) => w.item));
    waiting.forEach((w, i) => Object.assign(w.out, results[i]));
  }

  private mark(sql: string): Item {
    const item: Item = { sql, params: [], mode: "exec" };
    this.pending.push({ item, out: { rows: [], changes: 0 } });
    return item;
  }

  transaction<T>(fn: () => T): T {
    const outer = this.depth === 0;
    const name = `lf_${this.depth}`;
    const opened = this.mark(outer ? "BEGIN" : `SAVEPOINT ${name}`);
    this.depth++;
    try {
      const out = fn();
      this.send({ sql: outer ? "COMMIT" : `RELEASE SAVEPOINT ${name}`, params: [], mode: "exec" });
      return out;
    } catch (e) {
      const at = this.pending.findIndex((p) => p.item === opened);
      if (at !== -1) {
        this.pending.length = at; // nothing of it reached the server
      } else {
        this.pending.length = 0; // what waits is this transaction's, after its last round trip
        try {
          this.send({ sql: outer ? "ROLLBACK" : `ROLLBACK TO SAVEPOINT ${name}`, params: [], mode: "exec" });
        } catch {
          // the connection is gone: PostgreSQL rolled the transaction back with it
        }
      }
      throw e;
    } finally {
      this.depth--;
    }
  }

  close(): void {
    this.pending.length = 0;
    this.bridge.close();
  }
}
