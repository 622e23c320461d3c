// PostgreSQL as a SqlDb (../sql.ts): the same statements as SQLite, with `?`
// numbered (dialect.ts), over one connection in a worker (bridge.ts).
import { UnstorableText } from "../../engine/stores.ts";
import type { SqlDb, SqlStatement, SqlValue } from "../sql.ts";
import { Bridge } from "./bridge.ts";
import type { Event } from "./protocol.ts";

/** PostgreSQL refuses a NUL byte in text with an error about the encoding; say what it is before sending */
function storable<P extends SqlValue[]>(params: P): P {
  for (const p of params) if (typeof p === "string" && p.includes("\0")) throw new UnstorableText();
  return params;
}

class PgStatement<R, P extends SqlValue[]> implements SqlStatement<R, P> {
  constructor(private readonly bridge: Bridge, private readonly sql: string) {}

  get(...params: P): R | null {
    return (this.bridge.query(this.sql, storable(params), "get").rows[0] as R | undefined) ?? null;
  }

  all(...params: P): R[] {
    return this.bridge.query(this.sql, storable(params), "all").rows as R[];
  }

  run(...params: P): { changes: number } {
    return { changes: this.bridge.query(this.sql, storable(params), "run").changes };
  }
}

export class PostgresDb implements SqlDb {
  readonly dialect = "postgres";
  private depth = 0;
  private readonly listeners = new Set<(e: Event) => void>();
  private readonly bridge: Bridge;

  /** `serverLock`: this is a server's connection, the one allowed on the database (worker.ts) */
  constructor(url: string, o: { serverLock?: boolean; timeoutMs?: number } = {}) {
    this.bridge = new Bridge(url, o.serverLock ?? false, o.timeoutMs ?? 10_000, (e) => {
      for (const l of this.listeners) l(e);
    });
  }

  /** hears the connection being lost and coming back */
  onEvent(listener: (e: Event) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  query<R, P extends SqlValue[]>(sql: string): SqlStatement<R, P> {
    return new PgStatement<R, P>(this.bridge, sql);
  }

  exec(sql: string): void {
    this.bridge.exec(sql);
  }

  transaction<T>(fn: () => T): T {
    const outer = this.depth === 0;
    const name = `lf_${this.depth}`;
    this.bridge.exec(outer ? "BEGIN" : `SAVEPOINT ${name}`);
    this.depth++;
    try {
      const out = fn();
      this.bridge.exec(outer ? "COMMIT" : `RELEASE SAVEPOINT ${name}`);
      return out;
    } catch (e) {
      try {
        this.bridge.exec(outer ? "ROLLBACK" : `ROLLBACK TO SAVEPOINT ${name}`);
      } catch {
        // the connection is gone: PostgreSQL rolled the transaction back with it
      }
      throw e;
    } finally {
      this.depth--;
    }
  }

  close(): void {
    this.bridge.close();
  }
}
