// The SQL the stores speak, the same text on either store: `?` placeholders,
// ON CONFLICT, coalesce, no store-only functions. A `SqlDb` is one connection
// with the shape of bun:sqlite's (query → get/all/run), so the SQLite store
// uses bun:sqlite as it is and PostgreSQL (postgres/) answers the same calls.
// Both are synchronous; see postgres/bridge.ts for how PostgreSQL is.
export type SqlValue = string | number | null;

export interface SqlStatement<R = unknown, P extends SqlValue[] = SqlValue[]> {
  get(...params: P): R | null;
  all(...params: P): R[];
  run(...params: P): { changes: number };
}

export interface SqlDb {
  readonly dialect: "sqlite" | "postgres";
  query<R = unknown, P extends SqlValue[] = SqlValue[]>(sql: string): SqlStatement<R, P>;
  /** statements without parameters or results (migrations) */
  exec(sql: string): void;
  /**
   * The rows of `sql`, read with the next statement whose answer is needed:
   * several reads that belong together go in one round trip on PostgreSQL
   * (SQLite reads them at once). Call the result to have them.
   */
  readLater<R>(sql: string, ...params: SqlValue[]): () => R[];
  /** `fn`'s statements, all or none; a transaction inside another is part of it */
  transaction<T>(fn: () => T): T;
  close(): void;
}
