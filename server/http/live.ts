// WebSocket routes. The transport only: what to send comes from the engine's
// bus (events) and its log store, framed by logframes.ts (logs).
//   WS /api/events                                  any
//   WS /api/runs/:run/steps/:pos/log/ws?offset=N    any
import { Elysia, t } from "elysia";
import type { Engine } from "../engine/index.ts";
import type { EngineEvent } from "../engine/events.ts";
import { logRef, type LogReader } from "../engine/logstore.ts";
import { HttpError } from "./errors.ts";
import { crossSite, type guard } from "./guard.ts";
import { ChunkFrames, CLOSE_TOO_SLOW, MAX_BUFFERED, SocketViewer, type FrameSocket } from "./logframes.ts";
import { findStep } from "./runs.ts";
import { runOut, taskOut } from "./serialize.ts";

/** The access the socket was opened with has ended (sign-out, revoked, disabled): a reconnect gets 401. */
const CLOSE_ACCESS_ENDED = 1008;
const ACCESS_ENDED = "access ended: signed out, revoked or disabled";

interface Socket {
  send(data: string): unknown;
  close(code?: number, reason?: string): void;
  raw: FrameSocket;
  id: string;
}

function serialize(engine: Engine, e: EngineEvent): string {
  if (e.type === "run") return JSON.stringify({ type: "run", run: runOut(e.run) });
  if (e.type === "task") return JSON.stringify({ type: "task", task: taskOut(e.task, engine.nextFireAt(e.task.id)) });
  if (e.type === "late") return JSON.stringify({ ...e, scheduled_for: new Date(e.scheduled_for).toISOString() });
  return JSON.stringify(e);
}

function refuseForeign(request: Request, engine: Engine): void {
  if (crossSite(request, engine.config)) throw new HttpError(403, "WebSocket from another origin refused");
}

export function liveRoutes(engine: Engine, logs: LogReader, auth: ReturnType<typeof guard>) {
  // one bus listener for every /api/events client; each event is serialized once
  const clients = new Map<string, Socket>();
  engine.bus.on((e) => {
    if (clients.size === 0) return;
    const text = serialize(engine, e);
    for (const ws of clients.values()) {
      if (ws.raw.getBufferedAmount() > MAX_BUFFERED) {
        clients.delete(ws.id);
        ws.close(CLOSE_TOO_SLOW, "too slow: reconnect");
      } else ws.send(text);
    }
  });
  const viewers = new Map<string, SocketViewer>();
  /** each socket's hold on the access it was opened with (auth/watch.ts) */
  const releases = new Map<string, () => void>();
  const frames = new ChunkFrames(); // one per server: many viewers of a step share each frame

  return new Elysia({ name: "live" })
    .use(auth)
    .ws("/api/events", {
      beforeHandle({ request, principalOf }) {
        refuseForeign(request, engine);
        if (!principalOf(request)) throw new HttpError(401, "sign in first");
      },
      open(ws) {
        const socket = ws as unknown as Socket;
        clients.set(ws.id, socket);
        const { accessWatch, principalOf, request } = ws.data;
        const release = accessWatch.hold(principalOf(request)!, "any", () => {
          clients.delete(ws.id);
          socket.close(CLOSE_ACCESS_ENDED, ACCESS_ENDED);
        });
        releases.set(ws.id, release);
      },
      close(ws) {
        clients.delete(ws.id);
        releases.get(ws.id)?.();
        releases.delete(ws.id);
      },
    })
    .ws("/api/runs/:run/steps/:pos/log/ws", {
      params: t.Object({ run: t.Numeric({ minimum: 1 }), pos: t.Numeric({ minimum: 1, maximum: 50 }) }),
      query: t.Object({ offset: t.Optional(t.Numeric({ minimum: 0 })), attempt: t.Optional(t.Numeric({ minimum: 1, maximum: 11 })) }),
      async beforeHandle({ request, principalOf, params, query }) {
        refuseForeign(request, engine);
        if (!principalOf(request)) throw new HttpError(401, "sign in first");
        const { run, step } = findStep(engine, params.run, params.pos); // 404 before the upgrade
        // a log on a node out of reach: 503 before the upgrade, as GET …/log answers
        if (logs.check) await logs.check(logRef(run, step, Math.min(query.attempt ?? step.attempt, step.attempt)));
      },
      open(ws) {
        const { run, step } = findStep(engine, ws.data.params.run, ws.data.params.pos);
        const attempt = Math.min(ws.data.query.attempt ?? step.attempt, step.attempt);
        // Bun's own socket: for a text message Elysia's send() only adds checks this route has no use for
        const viewer = new SocketViewer((ws as unknown as Socket).raw, frames, ws.data.query.offset ?? 0, step);
        viewers.set(ws.id, viewer);
        viewer.follow(logs, logRef(run, step, attempt));
        if (ws.readyState !== 1) return; // a finished step's log was sent whole and closed already
        const { accessWatch, principalOf, request } = ws.data;
        releases.set(
          ws.id,
          accessWatch.hold(principalOf(request)!, "any", () => {
            viewers.get(ws.id)?.stop(); // close() below resolves a read waiting for a drain
            ws.close(CLOSE_ACCESS_ENDED, ACCESS_ENDED);
          }),
        );
      },
      drain(ws) {
        viewers.get(ws.id)?.drain();
      },
      close(ws) {
        const viewer = viewers.get(ws.id);
        viewers.delete(ws.id);
        viewer?.stop();
        releases.get(ws.id)?.();
        releases.delete(ws.id);
        viewer?.drain(); // a read waiting for the socket to drain ends with it
      },
    });
}
