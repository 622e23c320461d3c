// Routes: the nodes sharing the database.
//   GET /api/nodes   any
import { Elysia, t } from "elysia";
import type { Engine } from "../engine/index.ts";
import { NodeOut } from "../schema/resources.ts";
import type { guard } from "./guard.ts";
import { iso } from "./serialize.ts";

export function nodeRoutes(engine: Engine, auth: ReturnType<typeof guard>) {
  return new Elysia({ name: "nodes" }).use(auth).get(
    "/api/nodes",
    () =>
      engine.nodes().map((n) => ({
        name: n.name,
        labels: n.labels,
        url: n.url,
        started_at: iso(n.started_at)!,
        last_seen_at: iso(n.last_seen_at)!,
        leader: n.leader,
        running: n.running,
        capacity: n.capacity,
        alive: n.alive,
      })),
    { role: "any", response: t.Array(NodeOut) },
  );
}
