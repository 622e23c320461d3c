// Variables. The only SQL about variables. Secret values leave this module
// only through `all()`, which the executor uses to build a step's environment.
import type { SqlDb } from "./sql.ts";
import type { VariableStore } from "../engine/stores.ts";
import type { Variable } from "../engine/types.ts";

interface Row {
  key: string;
  value: string;
  secret: number;
}
const toVar = (r: Row): Variable => ({ key: r.key, value: r.value, secret: r.secret === 1 });

export class SqlVariableStore implements VariableStore {
  constructor(private readonly db: SqlDb) {}

  all(): Variable[] {
    return this.db.query<Row, []>("SELECT key, value, secret FROM variables ORDER BY key").all().map(toVar);
  }

  get(key: string): Variable | null {
    const row = this.db.query<Row, [string]>("SELECT key, value, secret FROM variables WHERE key = ?").get(key);
    return row ? toVar(row) : null;
  }

  insert(v: Variable): boolean {
    return (
      this.db
        .query("INSERT INTO variables (key, value, secret) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
        .run(v.key, v.value, v.secret ? 1 : 0).changes === 1
    );
  }

  update(v: Variable): void {
    this.db.query("UPDATE variables SET value = ?, secret = ? WHERE key = ?").run(v.value, v.secret ? 1 : 0, v.key);
  }

  delete(key: string): boolean {
    return this.db.query("DELETE FROM variables WHERE key = ?").run(key).changes === 1;
  }
}
