// Pools. The only SQL about pools.
import type { SqlDb } from "./sql.ts";
import type { PoolStore } from "../engine/stores.ts";
import type { Pool } from "../engine/types.ts";

export class SqlPoolStore implements PoolStore {
  constructor(private readonly db: SqlDb) {}

  list(): Pool[] {
    return this.db.query<Pool, []>("SELECT name, slots FROM pools ORDER BY name").all();
  }

  get(name: string): Pool | null {
    return this.db.query<Pool, [string]>("SELECT name, slots FROM pools WHERE name = ?").get(name);
  }

  /** false when the name is taken */
  insert(pool: Pool): boolean {
    return this.db.query("INSERT INTO pools (name, slots) VALUES (?, ?) ON CONFLICT DO NOTHING").run(pool.name, pool.slots).changes === 1;
  }

  setSlots(name: string, slots: number): boolean {
    return this.db.query("UPDATE pools SET slots = ? WHERE name = ?").run(slots, name).changes === 1;
  }

  delete(name: string): boolean {
    return this.db.query("DELETE FROM pools WHERE name = ?").run(name).changes === 1;
  }
}
