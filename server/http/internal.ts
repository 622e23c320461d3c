// Routes the nodes of a cluster call on each other, never a browser or a user:
// they take the cluster secret (cluster/logwire.ts SECRET_HEADER), not a
// session or a token. On one node (SQLite) there is no secret and they answer 404.
//   GET /api/internal/runs/:run/steps/:pos/log   node   ?attempt= ?offset= ?tail= ?limit= ?follow=1
// The log route answers from this node's own files only (a node asks the one
// that ran the step: cluster/logs.ts), so a request never goes round in circles.
import { createHash, timingSafeEqual } from "node:crypto";
import { Elysia, t } from "elysia";
import type { Engine } from "../engine/index.ts";
import { logRef } from "../engine/logstore.ts";
import { SECRET_HEADER, wireFraming } from "../cluster/logwire.ts";
import { HttpError, notFound } from "./errors.ts";
import { followStream } from "./logframes.ts";
import { findStep, logRange } from "./runs.ts";

const InternalLogQuery = t.Object({
  attempt: t.Numeric({ minimum: 1, maximum: 11, error: "attempt: which try of the step, from 1" }),
  offset: t.Optional(t.Numeric({ minimum: 0, error: "offset: a byte offset, 0 or more" })),
  tail: t.Optional(t.Numeric({ minimum: 0, error: "tail: a number of bytes, 0 or more" })),
  limit: t.Optional(t.Numeric({ minimum: 0, error: "limit: a number of bytes, 0 or more" })),
  follow: t.Optional(t.Literal("1", { error: "follow: 1" })),
});

const digest = (s: string) => createHash("sha256").update(s).digest();

/** Whether `given` is the secret, in a time that tells nothing about how much of it matched. */
export function secretMatches(secret: string, given: string | null): boolean {
  // digests have one length: timingSafeEqual compares them whatever was sent
  return given !== null && timingSafeEqual(digest(secret), digest(given));
}

export function internalRoutes(engine: Engine) {
  return new Elysia({ name: "internal" })
    // before the query is validated: a stranger learns nothing about the route
    .onTransform({ as: "local" }, ({ request }) => {
      const secret = engine.cluster.shared ? engine.cluster.secret() : null;
      if (secret === null) throw notFound("route: this server is not a node of a cluster");
      if (!secretMatches(secret, request.headers.get(SECRET_HEADER))) throw new HttpError(401, "for the nodes of this cluster only: the cluster secret is missing or wrong");
    })
    .get(
      "/api/internal/runs/:run/steps/:pos/log",
      async ({ params, query }) => {
        const { run, step } = findStep(engine, params.run, params.pos);
        // never another node's (a node URL that leads back here would show an empty log, not the 503 it is)
        if (run.node !== null && run.node !== engine.cluster.name) throw notFound(`the log of run ${run.id}: it ran on node ${run.node}`);
        const attempt = Math.min(query.attempt, step.attempt);
        const ref = logRef(run, step, attempt);
        const logs = engine.ownLogs;
        const size = await logs.size(ref);
        const [start, end] = logRange(size, query);
        const headers = { "content-type": "application/octet-stream", "cache-control": "no-store", "x-log-size": String(size), "x-log-start": String(start) };
        if (query.follow) return new Response(followStream(logs, ref, start, wireFraming), { headers });
        return new Response(end > start ? logs.read(ref, start, end) : "", { status: 200, headers });
      },
      {
        params: t.Object({ run: t.Numeric({ minimum: 1, error: "run: a run id" }), pos: t.Numeric({ minimum: 1, maximum: 50, error: "pos: a step position from 1" }) }),
        query: InternalLogQuery,
        detail: { hide: true },
      },
    );
}
