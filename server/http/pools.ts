// Routes: pools.
//   GET    /api/pools          any
//   POST   /api/pools          admin
//   PUT    /api/pools/:name    admin
//   DELETE /api/pools/:name    admin
import { Elysia, t } from "elysia";
import type { AuditStore } from "../engine/stores.ts";
import type { Engine } from "../engine/index.ts";
import { ErrorBody } from "../schema/common.ts";
import { PoolInput, PoolOut, PoolSlots } from "../schema/resources.ts";
import { conflict, notFound } from "./errors.ts";
import type { guard } from "./guard.ts";

const Params = t.Object({ name: t.String({ maxLength: 200 }) });

export function poolRoutes(engine: Engine, audit: AuditStore, auth: ReturnType<typeof guard>) {
  const idle = { running: 0, queued: 0 };
  const out = (name: string, slots: number, counts = engine.poolCounts()) => ({ name, slots, ...(counts.get(name) ?? idle) });
  return new Elysia({ name: "pools" })
    .use(auth)
    .get(
      "/api/pools",
      () => {
        const counts = engine.poolCounts(); // once for the list
        return engine.listPools().map((p) => out(p.name, p.slots, counts));
      },
      { role: "any", response: t.Array(PoolOut) },
    )
    .post(
      "/api/pools",
      ({ body, principal, set }) => {
        if (!engine.createPool(body)) throw conflict(`name: a pool named "${body.name}" already exists`, "name");
        audit.add(principal.user.email, "pool.create", body.name, `${body.slots} slots`);
        set.status = 201;
        return out(body.name, body.slots);
      },
      { role: "admin", body: PoolInput, response: { 201: PoolOut, 409: ErrorBody, 422: ErrorBody } },
    )
    .put(
      "/api/pools/:name",
      ({ params, body, principal }) => {
        if (!engine.setPoolSlots(params.name, body.slots)) throw notFound(`pool "${params.name}"`);
        audit.add(principal.user.email, "pool.update", params.name, `${body.slots} slots`);
        return out(params.name, body.slots);
      },
      { role: "admin", params: Params, body: PoolSlots, response: { 200: PoolOut, 404: ErrorBody, 422: ErrorBody } },
    )
    .delete(
      "/api/pools/:name",
      ({ params, principal, set }) => {
        const r = engine.deletePool(params.name);
        if (r === "pool_not_found") throw notFound(`pool "${params.name}"`);
        if (r === "pool_in_use") throw conflict(`pool "${params.name}" is used by a task; move the task to another pool first`);
        audit.add(principal.user.email, "pool.delete", params.name);
        set.status = 204;
      },
      { role: "admin", params: Params },
    );
}
