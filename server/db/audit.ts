// The audit log: who did what, when. Never holds a secret value or a password.
import type { SqlDb } from "./sql.ts";
import type { AuditEntry, AuditStore } from "../engine/stores.ts";

export type { AuditEntry };

export class SqlAuditStore implements AuditStore {
  /** `node`: the node that writes the entries (LIGHTFLOW_NODE_NAME), so the log names where a request was answered */
  constructor(private readonly db: SqlDb, private readonly node: string | null = null) {}

  add(user: string | null, action: string, target: string | null = null, detail: string | null = null, at = Date.now()): void {
    this.db.query(`INSERT INTO audit (at, "user", action, target, detail, node) VALUES (?, ?, ?, ?, ?, ?)`).run(at, user, action, target, detail, this.node);
  }

  page(limit: number, before = Number.MAX_SAFE_INTEGER): AuditEntry[] {
    return this.db
      .query<AuditEntry, [number, number]>(`SELECT id, at, "user", action, target, detail, node FROM audit WHERE id < ? ORDER BY id DESC LIMIT ?`)
      .all(before, limit);
  }
}
