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

/** Follows a step log (one attempt of it; none: the latest) from byte `from`; returns a function that stops it. */
export function followLog(run: number, pos: number, from: number, h: LogHandlers, attempt?: number): () => void {
  const s = { next: from, ws: null as WebSocket | null, timer: 0 as ReturnType<typeof setTimeout> | 0, attempt: 0, done: false };
  const open = () => {
    const ws = new WebSocket(wsUrl(`/runs/${run}/steps/${pos}/log/ws?offset=${s.next}${attempt ? `&attempt=${attempt}` : ""}`));
    s.ws = ws;
    ws.onopen = () => {
      s.attempt = 0;
      h.onConnected?.(true);
    };
    ws.onmessage = (m) => {
      let msg: LogMessage;
      try {
        msg = JSON.parse(String(m.data)) as LogMessage;
      } catch {
        return;
      }
      if (msg.type === "end") {
        s.done = true;
        h.onEnd(msg.step);
        ws.close();
        return;
      }
      let { data, offset } = msg;
      if (offset < s.next) {
        // Overlap after a resume: keep only the bytes we do not have yet.
        const bytes = encoder.encode(data);
        if (offset + bytes.length <= s.next) return;
        data = decoder.decode(bytes.subarray(s.next - offset));
        offset = s.next;
      }
      s.next = offset + utf8len(data);
      h.onData(data, offset);
    };
    ws.onclose = () => {
      if (s.ws !== ws) return;
      s.ws = null;
      h.onConnected?.(false);
      if (s.done) return;
      const delay = Math.min(30_000, 500 * 2 ** s.attempt++);
      s.timer = setTimeout(open, delay);
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
  const s = { ws: null as WebSocket | null, timer: 0 as ReturnType<typeof setTimeout> | 0, attempt: 0, done: false };
  const open = () => {
    const ws = new WebSocket(wsUrl(`/packages/jobs/${encodeURIComponent(job)}/ws`));
    s.ws = ws;
    let first = true;
    ws.onmessage = (m) => {
      let msg: JobMessage;
      try {
        msg = JSON.parse(String(m.data)) as JobMessage;
      } catch {
        return;
      }
      if (msg.type === "output") {
        h.onText(msg.data, first);
        first = false;
      } else if (msg.type === "end") {
        s.done = true;
        h.onEnd(msg.status);
      }
    };
    ws.onopen = () => {
      s.attempt = 0;
    };
    ws.onclose = (e) => {
      if (s.ws !== ws) return;
      s.ws = null;
      if (s.done) return;
      // 1011 "job gone", or refused before the upgrade (404 once the job is forgotten): ask over HTTP why.
      if (e.code === 1011 || s.attempt >= 3) return h.onLost("The job is no longer known to the server (it keeps the last 20 until it restarts).");
      s.timer = setTimeout(open, Math.min(10_000, 500 * 2 ** s.attempt++));
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
