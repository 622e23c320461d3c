// WebSockets that stream text from the server: a step log
// (/api/runs/:run/steps/:pos/log/ws?offset=N), which resumes from the last
// byte received after a drop, and a package job's output.
import { wsUrl } from "./api.ts";
import { decoder, encoder, utf8len } from "./lib/utf8.ts";
import type { LogMessage, RunStep } from "./types.ts";

export interface LogHandlers {
  /** `offset` is the byte offset of `data`'s first byte in the log file. */
  onData(data: string, offset: number): void;
  onEnd(step: RunStep): void;
  onConnected?(connected: boolean): void;
}

/** Follows a step log from byte `from`; returns a function that stops it. */
export function followLog(run: number, pos: number, from: number, h: LogHandlers): () => void {
  const s = { next: from, ws: null as WebSocket | null, timer: 0 as ReturnType<typeof setTimeout> | 0, attempt: 0, done: false };
  const open = () => {
    const ws = new WebSocket(wsUrl(`/runs/${run}/steps/${pos}/log/ws?offset=${s.next}`));
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

/**
 * Follows a package job's pip output. api.md names the route but not its
 * messages, so this accepts the log's `{"type":"chunk","data"}` /
 * `{"type":"end",…}` shape as well as plain text frames.
 */
export function followJob(job: string | number, onText: (t: string) => void, onEnd: (info: Record<string, unknown>) => void) {
  const ws = new WebSocket(wsUrl(`/packages/jobs/${encodeURIComponent(String(job))}`));
  const state = { ended: false };
  const end = (info: Record<string, unknown>) => {
    if (state.ended) return;
    state.ended = true;
    onEnd(info);
  };
  ws.onmessage = (m) => {
    const raw = String(m.data);
    let msg: Record<string, unknown> | null = null;
    try {
      const v: unknown = JSON.parse(raw);
      if (v && typeof v === "object") msg = v as Record<string, unknown>;
    } catch {
      // plain text frame
    }
    if (!msg) return onText(raw);
    if (typeof msg.data === "string") onText(msg.data);
    else if (typeof msg.line === "string") onText(msg.line + "\n");
    if (msg.type === "end" || msg.type === "done" || "exit_code" in msg || "ok" in msg) end(msg);
  };
  ws.onclose = () => end({});
  return () => ws.close();
}
