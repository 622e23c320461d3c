// WebSockets that stream text from the server: a step log
// (/api/runs/:run/steps/:pos/log/ws?offset=N&attempt=A), which resumes from the last
// byte received after a drop, and a package job's output
// (/api/packages/jobs/:job/ws).
import { wsUrl } from "./api.ts";
import { decoder, encoder, utf8len } from "./lib/utf8.ts";
import type { JobMessage, LogMessage, RunStep } from "./types.ts";

export interface LogHandlers {
  /** `offset` is the byte offset of `data`'s first byte in the log file. */
  onData(data: string, offset: number): void;
  onEnd(step: RunStep): void;
  onConnected?(connected: boolean): void;
}

/** Ends a stream from inside its message handler: no reconnect after this. */
interface Finish {
  finish(): void;
}

/**
 * One JSON WebSocket that opens again with a growing delay after a drop,
 * until the stream is finished or stopped. `onDrop` may give up (false).
 */
function reconnecting<T>(o: {
  url: () => string;
  maxDelay: number;
  onMessage(msg: T, f: Finish, first: boolean): void;
  onOpen?(): void;
  onClose?(): void;
  onDrop?(e: CloseEvent, tries: number): boolean;
}): () => void {
  const s = { ws: null as WebSocket | null, timer: 0 as ReturnType<typeof setTimeout> | 0, tries: 0, done: false };
  const open = () => {
    const ws = new WebSocket(o.url());
    s.ws = ws;
    let first = true;
    const f: Finish = {
      finish: () => {
        s.done = true;
        ws.close();
      },
    };
    ws.onopen = () => {
      s.tries = 0;
      o.onOpen?.();
    };
    ws.onmessage = (m) => {
      let msg: T;
      try {
        msg = JSON.parse(String(m.data)) as T;
      } catch {
        return;
      }
      o.onMessage(msg, f, first);
      first = false;
    };
    ws.onclose = (e) => {
      if (s.ws !== ws) return;
      s.ws = null;
      o.onClose?.();
      if (s.done || (o.onDrop && !o.onDrop(e, s.tries))) return;
      s.timer = setTimeout(open, Math.min(o.maxDelay, 500 * 2 ** s.tries++));
    };
  };
  open();
  return () => {
    s.done = true;
    if (s.timer) clearTimeout(s.timer);
    const ws = s.ws;
    s.ws = null;
    ws?.close();
  };
}

/** Follows a step log (one attempt of it; none: the latest) from byte `from`; returns a function that stops it. */
export function followLog(run: number, pos: number, from: number, h: LogHandlers, attempt?: number): () => void {
  let next = from; // a reconnect resumes from the last byte received
  return reconnecting<LogMessage>({
    url: () => wsUrl(`/runs/${run}/steps/${pos}/log/ws?offset=${next}${attempt ? `&attempt=${attempt}` : ""}`),
    maxDelay: 30_000,
    onOpen: () => h.onConnected?.(true),
    onClose: () => h.onConnected?.(false),
    onMessage(msg, f) {
      if (msg.type === "end") {
        f.finish();
        h.onEnd(msg.step);
        return;
      }
      let { data, offset } = msg;
      if (offset < next) {
        // Overlap after a resume: keep only the bytes we do not have yet.
        const bytes = encoder.encode(data);
        if (offset + bytes.length <= next) return;
        data = decoder.decode(bytes.subarray(next - offset));
        offset = next;
      }
      next = offset + utf8len(data);
      h.onData(data, offset);
    },
  });
}

export interface JobHandlers {
  /** pip's output; `reset` when the server starts again from the job's first byte (after a reconnect) */
  onText(text: string, reset: boolean): void;
  onEnd(status: "success" | "failed"): void;
  /** the job is gone (the server restarted: jobs live in its memory), or cannot be followed */
  onLost(message: string): void;
}

/**
 * Follows a package job's pip output over /api/packages/jobs/:job/ws, which
 * sends the output so far, then each new piece, as {"type":"output","data"},
 * then {"type":"end","status"} and closes. A connection that drops before the
 * end is opened again (the server then sends everything from the start).
 */
export function followJob(job: string, h: JobHandlers): () => void {
  return reconnecting<JobMessage>({
    url: () => wsUrl(`/packages/jobs/${encodeURIComponent(job)}/ws`),
    maxDelay: 10_000,
    onMessage(msg, f, first) {
      if (msg.type === "output") h.onText(msg.data, first);
      else if (msg.type === "end") {
        f.finish();
        h.onEnd(msg.status);
      }
    },
    onDrop(e, tries) {
      // 1011 "job gone", or refused before the upgrade (404 once the job is forgotten)
      if (e.code !== 1011 && tries < 3) return true;
      h.onLost("The job is no longer known to the server (it keeps the last 20 until it restarts).");
      return false;
    },
  });
}
