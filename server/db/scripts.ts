// The scripts of a cluster (scripts/store.ts). Every change takes the next
// value of scripts_version in its own transaction: the counter's row lock
// makes the changes commit in the order of their versions, so a node that
// reads version v and the rows up to it has seen every change up to v.
import type { SqlDb } from "./sql.ts";
import type { ScriptRow, ScriptStore } from "../scripts/store.ts";

/** SQLite and PostgreSQL count characters (code points), not UTF-16 units */
const chars = (s: string) => [...s].length;

class Taken extends Error {}

export class SqlScriptStore implements ScriptStore {
  constructor(private readonly db: SqlDb) {}

  version(): number {
    return Number(this.db.query<{ version: number }, []>("SELECT version FROM scripts_version WHERE id = 1").get()?.version ?? 0);
  }

  since(after: number): ScriptRow[] {
    return this.db
      .query<ScriptRow, [number]>("SELECT path, content, mode, version FROM scripts WHERE version > ? ORDER BY version, path")
      .all(after)
      .map((r) => ({ ...r, mode: Number(r.mode), version: Number(r.version) }));
  }

  private next(): number {
    return Number(this.db.query<{ version: number }, []>("UPDATE scripts_version SET version = version + 1 WHERE id = 1 RETURNING version").get()!.version);
  }

  private put(path: string, content: string | null, mode: number, version: number): void {
    this.db
      .query(
        `INSERT INTO scripts (path, content, mode, version) VALUES (?, ?, ?, ?)
         ON CONFLICT (path) DO UPDATE SET content = excluded.content, mode = excluded.mode, version = excluded.version`,
      )
      .run(path, content, mode, version);
  }

  save(path: string, content: string, mode: number): number {
    return this.db.transaction(() => {
      const v = this.next();
      this.put(path, content, mode, v);
      return v;
    });
  }

  remove(path: string): number | null {
    return this.db.transaction(() => {
      const live = this.db.query("SELECT 1 FROM scripts WHERE path = ? AND content IS NOT NULL").get(path);
      if (!live) return null;
      const v = this.next();
      this.db.query("UPDATE scripts SET content = NULL, version = ? WHERE path = ?").run(v, path);
      return v;
    });
  }

  rename(from: string, to: string): number | null {
    return this.db.transaction(() => {
      const prefix = `${from}/`;
      const rows = this.db
        .query<{ path: string; content: string; mode: number }, [string, number, string]>(
          "SELECT path, content, mode FROM scripts WHERE content IS NOT NULL AND (path = ? OR substr(path, 1, ?) = ?)",
        )
        .all(from, chars(prefix), prefix);
      if (!rows.length) return null;
      const v = this.next();
      for (const r of rows) {
        this.db.query("UPDATE scripts SET content = NULL, version = ? WHERE path = ?").run(v, r.path);
        this.put(to + r.path.slice(from.length), r.content, Number(r.mode), v);
      }
      return v;
    });
  }

  seed(files: { path: string; content: string; mode: number }[]): number | null {
    try {
      return this.db.transaction(() => {
        const v = this.next(); // holds the counter: a node seeding at the same time waits, then finds version 2
        if (v !== 1) throw new Taken();
        for (const f of files) this.put(f.path, f.content, f.mode, v);
        return v;
      });
    } catch (e) {
      if (e instanceof Taken) return null;
      throw e;
    }
  }
}
