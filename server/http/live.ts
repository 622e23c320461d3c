// WebSocket routes. The transport only: what to send comes from the engine's
// bus (events) and the shared log watchers (logs).
//   WS /api/events                                  any
//   WS /api/runs/:run/steps/:pos/log/ws?offset=N    any
import { Elysia, t } from "elysia";
import type { Engine } from "../engine/index.ts";
import type { EngineEvent } from "../engine/events.ts";
import { HttpError } from "./errors.ts";
import { crossSite, type guard } from "./guard.ts";
import type { LogFeeds } from "./logfeed.ts";
import { findStep } from "./runs.ts";
import { runOut, stepOut, taskOut } from "./serialize.ts";

/** A client that has this much unsent is too slow: it is closed and reconnects from its offset. */
const MAX_BUFFERED = 8 * 1024 * 1024;
const CLOSE_TOO_SLOW = 1013;
/** The access the socket was opened with has ended (sign-out, revoked, disabled): a reconnect gets 401. */
const CLOSE_ACCESS_ENDED = 1008;
const ACCESS_ENDED = "access ended: signed out, revoked or disabled";

interface Socket {
  send(data: string): unknown;
  close(code?: number, reason?: string): void;
  raw: { getBufferedAmount(): number };
  id: string;
}

/** The length of the longest prefix of `b` that ends on a UTF-8 character boundary. */
export function utf8Boundary(b: Uint8Array): number {
  let i = b.length - 1;
  for (let back = 0; i >= 0 && back < 4; i--, back++) {
    const c = b[i]!;
    if ((c & 0xc0) === 0x80) continue; // continuation byte
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return b.length - i >= need ? b.length : i;
  }
  return b.length;
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

export function liveRoutes(engine: Engine, feeds: LogFeeds, auth: ReturnType<typeof guard>) {
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
  const following = new Map<string, () => void>();
  /** each socket's hold on the access it was opened with (auth/watch.ts) */
  const releases = new Map<string, () => void>();
  const drains = new Map<string, () => void>();
  // Every caught-up viewer of a step gets the same live chunk (the same bytes at
  // the same offset): it is decoded and serialized once for all of them, not once
  // per viewer (bench P9: 100 viewers of 1 MiB/s cost 30 % of a core, now 7 %).
  const decoder = new TextDecoder();
  const last = { data: null as Uint8Array | null, offset: -1, cut: 0, text: "" };
  const frame = (offset: number, data: Uint8Array) => {
    if (last.data !== data || last.offset !== offset) {
      const cut = utf8Boundary(data);
      last.data = data;
      last.offset = offset;
      last.cut = cut;
      last.text = cut > 0 ? JSON.stringify({ type: "chunk", offset, data: decoder.decode(data.subarray(0, cut)) }) : "";
    }
    return last;
  };

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
      beforeHandle({ request, principalOf, params }) {
        refuseForeign(request, engine);
        if (!principalOf(request)) throw new HttpError(401, "sign in first");
        findStep(engine, params.run, params.pos); // 404 before the upgrade
      },
      open(ws) {
        const socket = ws as unknown as Socket;
        const { run, step } = findStep(engine, ws.data.params.run, ws.data.params.pos);
        let pending: Uint8Array = new Uint8Array(0);
        let next = ws.data.query.offset ?? 0;
        const stop = feeds.follow(run, step, next, {
          write(offset, data) {
            if (socket.raw.getBufferedAmount() > MAX_BUFFERED) {
              stop();
              socket.close(CLOSE_TOO_SLOW, "too slow: reconnect from your last offset");
              return true;
            }
            if (pending.length === 0) {
              const f = frame(offset, data);
              pending = data.slice(f.cut);
              if (f.cut > 0) socket.send(f.text);
              next = offset + f.cut;
            } else {
              const bytes = Buffer.concat([pending, data]);
              const cut = utf8Boundary(bytes);
              const start = offset - pending.length;
              pending = bytes.slice(cut);
              if (cut > 0) socket.send(JSON.stringify({ type: "chunk", offset: start, data: decoder.decode(bytes.subarray(0, cut)) }));
              next = start + cut;
            }
            return socket.raw.getBufferedAmount() < MAX_BUFFERED / 4;
          },
          end(final) {
            if (pending.length) socket.send(JSON.stringify({ type: "chunk", offset: next, data: decoder.decode(pending) }));
            socket.send(JSON.stringify({ type: "end", step: stepOut(final) }));
            following.delete(ws.id);
            socket.close(1000, "end of the log"); // api.md: the stream is closed by "end"
          },
          drained: () => new Promise<void>((r) => drains.set(ws.id, r)),
        }, Math.min(ws.data.query.attempt ?? step.attempt, step.attempt));
        following.set(ws.id, stop);
        if (ws.readyState !== 1) return; // a finished step's log was sent whole and closed already
        const { accessWatch, principalOf, request } = ws.data;
        releases.set(
          ws.id,
          accessWatch.hold(principalOf(request)!, "any", () => {
            following.get(ws.id)?.();
            following.delete(ws.id);
            socket.close(CLOSE_ACCESS_ENDED, ACCESS_ENDED);
          }),
        );
      },
      drain(ws) {
        drains.get(ws.id)?.();
        drains.delete(ws.id);
      },
      close(ws) {
        following.get(ws.id)?.();
        following.delete(ws.id);
        releases.get(ws.id)?.();
        releases.delete(ws.id);
        drains.get(ws.id)?.();
        drains.delete(ws.id);
      },
    });
}
