// Routes: tasks, triggering, the grid and CRON preview.
//   GET    /api/tasks                    any
//   POST   /api/tasks                    admin
//   GET    /api/tasks/:task              any
//   PUT    /api/tasks/:task              admin
//   PATCH  /api/tasks/:task              admin
//   DELETE /api/tasks/:task              admin
//   POST   /api/tasks/:task/duplicate    admin
//   POST   /api/tasks/:task/runs         admin
//   GET    /api/tasks/:task/runs         any
//   GET    /api/grid                     any
//   GET    /api/cron/preview             any
import { Elysia, t } from "elysia";
import type { AuditStore } from "../engine/stores.ts";
import { CronError, cronText, parseCron, preview } from "../engine/cron.ts";
import type { Engine, TaskProblem } from "../engine/index.ts";
import { definitionOf, withDefaults } from "../engine/taskdef.ts";
import { canonicalZone, timezoneProblem } from "../engine/zones.ts";
import type { RunStatus, Task, TaskDef } from "../engine/types.ts";
import { ErrorBody, RunFilter } from "../schema/common.ts";
import { CronPreviewOut, CronPreviewQuery, DuplicateInput, GridOut, RunOut, TaskInput, TaskOut, TaskPatch, TriggerInput } from "../schema/tasks.ts";
import { paramsText } from "../engine/params.ts";
import { conflict, HttpError, invalid, notFound, runFailure } from "./errors.ts";
import { GridRenderer } from "./grid.ts";
import type { guard } from "./guard.ts";
import { iso, runOut, taskOut } from "./serialize.ts";

const Params = t.Object({ task: t.String({ maxLength: 200 }) });

/** The audit detail of a PUT: a rename, and the chain and zone as they changed (who made a task follow another, or moved its clock). */
function updateDetail(before: Task, after: Task): string | null {
  const links = (t: Task) => t.after.map((l) => `${l.task} (${l.when})`).join(", ") || "none";
  const parts = [
    before.name !== after.name ? `renamed from ${before.name}` : null,
    links(before) !== links(after) ? `after: ${links(after)}` : null,
    before.timezone !== after.timezone ? `timezone: ${before.timezone ?? "server"} → ${after.timezone ?? "server"}` : null,
  ].filter(Boolean);
  return parts.length ? parts.join("; ") : null;
}

/** A refusal of the engine as an HTTP error: a broken rule is 422, a conflict with the state 409. */
function taskFailure(p: TaskProblem): HttpError {
  if (p.problem === "invalid") return invalid(`${p.field}: ${p.message}`, p.field);
  if (p.problem === "followed") return new HttpError(409, p.message, undefined, { followers: p.followers });
  return "field" in p ? conflict(`${p.field}: ${p.message}`, p.field) : conflict(p.message);
}

export function taskRoutes(engine: Engine, audit: AuditStore, auth: ReturnType<typeof guard>) {
  const find = (handle: string): Task => {
    const task = engine.findTask(handle);
    if (!task) throw notFound(`task "${handle}"`);
    return task;
  };
  const out = (task: Task) => taskOut(task, engine.nextFireAt(task.id));
  const grid = new GridRenderer(engine);
  const runs = (task: Task, limit: number, before?: number) =>
    engine.runsOf(task.id, limit, before).map(runOut);

  /** The definition with its defaults, if the engine takes it (as new, or over `self`). */
  const definition = (body: typeof TaskInput.static, self: Task | null): TaskDef => {
    const def = withDefaults(body);
    const problem = engine.checkTask(def, self);
    if (problem) throw taskFailure(problem);
    return def;
  };

  return new Elysia({ name: "tasks" })
    .use(auth)
    .get("/api/tasks", () => engine.listTasks().map(out), { role: "any", response: t.Array(TaskOut) })
    .post(
      "/api/tasks",
      ({ body, principal, set }) => {
        const task = engine.createTask(definition(body, null));
        audit.add(principal.user.email, "task.create", task.name);
        set.status = 201;
        return out(task);
      },
      { role: "admin", body: TaskInput, response: { 201: TaskOut, 409: ErrorBody, 422: ErrorBody } },
    )
    .get("/api/tasks/:task", ({ params }) => out(find(params.task)), { role: "any", params: Params, response: { 200: TaskOut, 404: ErrorBody } })
    .put(
      "/api/tasks/:task",
      ({ params, body, principal }) => {
        const task = find(params.task);
        const def = definition(body, task);
        const saved = engine.replaceTask(task.id, def);
        audit.add(principal.user.email, "task.update", saved.name, updateDetail(task, saved));
        return out(saved);
      },
      { role: "admin", params: Params, body: TaskInput, response: { 200: TaskOut, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody } },
    )
    .patch(
      "/api/tasks/:task",
      ({ params, body, principal }) => {
        const task = find(params.task);
        const patch = {
          ...body,
          ...(body.cron !== undefined ? { cron: cronText(body.cron) } : {}),
          ...(body.timezone ? { timezone: canonicalZone(body.timezone) } : {}),
        };
        const problem = engine.checkPatch(task, patch);
        if (problem) throw taskFailure(problem);
        const saved = engine.patchTask(task.id, patch);
        audit.add(principal.user.email, "task.update", saved.name, Object.keys(body).join(", "));
        return out(saved);
      },
      { role: "admin", params: Params, body: TaskPatch, response: { 200: TaskOut, 404: ErrorBody, 422: ErrorBody } },
    )
    .delete(
      "/api/tasks/:task",
      ({ params, principal, set }) => {
        const task = find(params.task);
        const problem = engine.deleteTask(task);
        if (problem) throw taskFailure(problem);
        audit.add(principal.user.email, "task.delete", task.name);
        set.status = 204;
      },
      { role: "admin", params: Params },
    )
    .post(
      "/api/tasks/:task/duplicate",
      ({ params, body, principal, set }) => {
        const task = find(params.task);
        // a copy starts disabled, so a duplicated schedule does not fire twice by surprise
        const def = { ...definitionOf(task), name: body.name, enabled: false };
        const problem = engine.checkTask(def, null);
        if (problem) throw taskFailure(problem);
        const copy = engine.createTask(def);
        audit.add(principal.user.email, "task.duplicate", copy.name, `from ${task.name}`);
        set.status = 201;
        return out(copy);
      },
      { role: "admin", params: Params, body: DuplicateInput, response: { 201: TaskOut, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody } },
    )
    .post(
      "/api/tasks/:task/runs",
      ({ params, body, principal, set }) => {
        const task = find(params.task);
        const result = engine.triggerWith(task, principal.user.email, body?.params ?? {}, (queued) =>
          audit.add(principal.user.email, "run.trigger", task.name, `run ${queued.id}${Object.keys(queued.params).length ? `, ${paramsText(queued.params)}` : ""}`),
        );
        if ("problem" in result) throw runFailure(result);
        set.status = 202;
        return runOut(engine.liveRun(result.run.id) ?? result.run);
      },
      // the body is optional: `curl -X POST` with none triggers with the defaults
      { role: "admin", params: Params, body: t.Optional(TriggerInput), response: { 202: RunOut, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody } },
    )
    .get(
      "/api/tasks/:task/runs",
      ({ params, query }) => {
        const task = find(params.task);
        if (!query.status && !query.from && !query.to) return runs(task, query.limit ?? 25, query.before);
        const filter = {
          statuses: query.status?.split(",") as RunStatus[] | undefined,
          from: query.from ? Date.parse(query.from) : undefined,
          to: query.to ? Date.parse(query.to) : undefined,
        };
        return engine.runsOf(task.id, query.limit ?? 25, query.before, filter).map(runOut);
      },
      { role: "any", params: Params, query: RunFilter, response: { 200: t.Array(RunOut), 404: ErrorBody, 422: ErrorBody } },
    )
    .get(
      "/api/grid",
      ({ query, set }) =>
        new Response(grid.render(query.runs ?? 25), { headers: { ...(set.headers as Record<string, string>), "content-type": "application/json" } }),
      {
        role: "any",
        query: t.Object({ runs: t.Optional(t.Numeric({ minimum: 1, maximum: 200, error: "runs: a whole number from 1 to 200" })) }),
        response: GridOut,
      },
    )
    .get(
      "/api/cron/preview",
      ({ query }) => {
        const from = query.from ? Date.parse(query.from) : Date.now();
        if (Number.isNaN(from)) throw invalid("from: an ISO 8601 time such as 2026-11-22T03:00:00Z", "from");
        let spec;
        try {
          spec = parseCron(query.expr);
        } catch (e) {
          if (e instanceof CronError) throw invalid(e.message, "expr");
          throw e;
        }
        const tz = query.timezone ? canonicalZone(query.timezone) : engine.config.timezone;
        const zone = query.timezone ? timezoneProblem(query.timezone) : null;
        if (zone) throw invalid(`timezone: ${zone}`, "timezone");
        const { next, notes, reason } = preview(spec, tz, from, query.count ?? 5);
        return {
          next: next.map((x) => iso(x)!),
          timezone: tz,
          notes: notes.map((n) => ({ at: iso(n.at)!, kind: n.kind, message: n.message })),
          // only when `next` is shorter than asked
          ...(reason ? { reason } : {}),
        };
      },
      {
        role: "any",
        query: CronPreviewQuery,
        response: { 200: CronPreviewOut, 422: ErrorBody },
      },
    );
}

