// Routes: runs and step logs.
//   GET  /api/runs/:run                       any
//   POST /api/runs/:run/cancel                admin
//   POST /api/runs/:run/retry                 admin
//   GET  /api/runs/:run/steps/:pos/log        any   ?offset= ?tail= ?limit= ?follow=1
import { Elysia, t } from "elysia";
import type { AuditStore } from "../engine/stores.ts";
import type { Engine } from "../engine/index.ts";
import { logRef, type LogReader } from "../engine/logstore.ts";
import type { Run, StepRun } from "../engine/types.ts";
import { ErrorBody } from "../schema/common.ts";
import { LogQuery, RunOut } from "../schema/tasks.ts";
import { conflict, notFound, runFailure } from "./errors.ts";
import { untilRevoked } from "../auth/watch.ts";
import type { guard } from "./guard.ts";
import { followStream } from "./logframes.ts";
import { runOut } from "./serialize.ts";

const RunParams = t.Object({ run: t.Numeric({ minimum: 1, error: "run: a run id" }) });
const StepParams = t.Object({
  run: t.Numeric({ minimum: 1, error: "run: a run id" }),
  pos: t.Numeric({ minimum: 1, maximum: 50, error: "pos: a step position from 1" }),
});

export function findStep(engine: Engine, runId: number, pos: number): { run: Run; step: StepRun } {
  const run = engine.getRun(runId);
  if (!run) throw notFound(`run ${runId}`);
  const step = run.steps[pos - 1];
  if (!step) throw notFound(`step ${pos} in run ${runId}`);
  return { run, step };
}

/** The byte range a log request asks for: `offset`, or the last `tail` bytes, at most `limit` bytes. */
export function logRange(size: number, q: { offset?: number; tail?: number; limit?: number }): [number, number] {
  let start = q.tail !== undefined ? Math.max(0, size - q.tail) : Math.min(q.offset ?? 0, size);
  if (q.offset !== undefined && q.tail !== undefined) start = Math.max(start, Math.min(q.offset, size));
  const end = q.limit !== undefined ? Math.min(size, start + q.limit) : size;
  return [start, end];
}

export function runRoutes(engine: Engine, audit: AuditStore, logs: LogReader, auth: ReturnType<typeof guard>) {
  return new Elysia({ name: "runs" })
    .use(auth)
    .get(
      "/api/runs/:run",
      ({ params }) => {
        const run = engine.getRun(params.run);
        if (!run) throw notFound(`run ${params.run}`);
        return runOut(run);
      },
      { role: "any", params: RunParams, response: { 200: RunOut, 404: ErrorBody } },
    )
    .post(
      "/api/runs/:run/cancel",
      ({ params, principal, set }) => {
        const result = engine.cancel(params.run);
        if (result === "run_not_found") throw notFound(`run ${params.run}`);
        if (result === "run_finished") throw conflict(`run ${params.run} has already finished`);
        audit.add(principal.user.email, "run.cancel", result.task, `run ${result.id}`);
        set.status = 202;
        return runOut(result);
      },
      { role: "admin", params: RunParams, response: { 202: RunOut, 404: ErrorBody, 409: ErrorBody } },
    )
    .post(
      "/api/runs/:run/retry",
      ({ params, principal, set }) => {
        const result = engine.retry(params.run, principal.user.email, (queued, from) =>
          audit.add(principal.user.email, "run.retry", queued.task, `run ${queued.id} retries run ${queued.retry_of} from step ${from}`),
        );
        if ("problem" in result) throw result.problem === "run_not_found" ? notFound(`run ${params.run}`) : runFailure(result);
        set.status = 202;
        return runOut(engine.liveRun(result.id) ?? result);
      },
      { role: "admin", params: RunParams, response: { 202: RunOut, 404: ErrorBody, 409: ErrorBody } },
    )
    .get(
      "/api/runs/:run/steps/:pos/log",
      async ({ params, query, set, principal, accessWatch }) => {
        const { run, step } = findStep(engine, params.run, params.pos);
        const attempt = Math.min(query.attempt ?? step.attempt, step.attempt);
        const ref = logRef(run, step, attempt);
        const size = await logs.size(ref);
        const [start, end] = logRange(size, query);
        set.headers["content-type"] = "text/plain; charset=utf-8";
        set.headers["x-log-size"] = String(size);
        set.headers["x-log-start"] = String(start);
        set.headers["x-log-attempt"] = String(attempt);
        set.headers["cache-control"] = "no-store";
        if (query.follow === "1" || query.follow === "true") {
          set.headers["x-content-type-options"] = "nosniff";
          const stream = untilRevoked(accessWatch, principal, "any", followStream(logs, ref, start));
          return new Response(stream, { headers: set.headers as Record<string, string> });
        }
        if (end <= start) return "";
        // a Response of our own: returned bare, Bun answers a slice with 206 though no Range was asked for
        return new Response(logs.read(ref, start, end), { status: 200, headers: set.headers as Record<string, string> });
      },
      { role: "any", params: StepParams, query: LogQuery },
    );
}
