// The cluster's shared secret (migration 0008). The only SQL about it.
import { randomBytes } from "node:crypto";
import type { SqlDb } from "./sql.ts";

/** The secret of the nodes on this database, made once by whichever node asks first. */
export function clusterSecret(db: SqlDb): string {
  // two nodes starting together: one insert wins, both read the winner's
  db.query("INSERT INTO cluster_secret (id, secret) VALUES (1, ?) ON CONFLICT DO NOTHING").run(randomBytes(32).toString("base64url"));
  return db.query<{ secret: string }, []>("SELECT secret FROM cluster_secret WHERE id = 1").get()!.secret;
}
