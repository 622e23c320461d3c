// Messages the server pushes on its WebSockets (server/http/live.ts).
import { Type } from "@sinclair/typebox";
import { t } from "elysia";
import { OneOf } from "./common.ts";
import { RunOut, StepRunOut, TaskOut } from "./tasks.ts";

/** Messages on /api/events: every run and task change, as the REST API shows them. */
export const LiveEvent = t.Union([
  t.Object({ type: t.Literal("run"), run: RunOut }),
  t.Object({ type: t.Literal("task"), task: TaskOut }),
  t.Object({ type: t.Literal("task_deleted"), name: t.String() }),
  /** a node joined or left, or the lead moved: GET /api/nodes again (only where several nodes share the database) */
  t.Object({ type: t.Literal("nodes") }),
  /** a scheduled run did not start within its task's start_deadline_s */
  t.Object({
    type: t.Literal("late"),
    task: t.String(),
    scheduled_for: t.String(),
    run_id: t.Nullable(Type.Integer()),
    reason: OneOf(["not_started", "server_down"]),
  }),
]);
export type LiveEvent = typeof LiveEvent.static;

/** Messages on /api/runs/:run/steps/:pos/log/ws: the log from an offset, then the step as it ended. */
export const LogMessage = t.Union([
  t.Object({ type: t.Literal("chunk"), offset: Type.Integer(), data: t.String() }),
  t.Object({ type: t.Literal("end"), step: StepRunOut }),
]);
export type LogMessage = typeof LogMessage.static;
