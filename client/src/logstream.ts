// WebSockets that stream text from the server (opened by socket.ts): a step
// log (/api/runs/:run/steps/:pos/log/ws?offset=N&attempt=A), which resumes
// after a drop from the byte its reader asks for, and a package job's output
// (/api/packages/jobs/:job/ws).
import { wsUrl } from "./api.ts";
import { reconnecting } from "./socket.ts";
import type { JobMessage, LogMessage, RunStep } from "./types.ts";

export interface LogHandlers {
  /** `offset` is the byte offset of `data`'s first byte in the log file; after a resume it may repeat bytes already given. */
  onData(data: string, offset: number): void;
  onEnd(step: RunStep): void;
  onConnected?(connected: boolean): void;
}

/**
 * Follows a step log (one attempt of it; none: the latest); returns a function
 * that stops it. `from`: where to (re)start, asked at every connect (the
 * reader knows which bytes it has: the log window's `next`).
 */
export function followLog(run: number, pos: number, from: () => number, h: LogHandlers, attempt?: number): () => void {
  return reconnecting<LogMessage>({
    url: () => wsUrl(`/runs/${run}/steps/${pos}/log/ws?offset=${from()}${attempt ? `&attempt=${attempt}` : ""}`),
    maxDelay: 30_000,
    onOpen: () => h.onConnected?.(true),
    onClose: () => h.onConnected?.(false),
    onMessage(msg, f) {
      if (msg.type === "end") {
        f.finish();
        h.onEnd(msg.step);
      } else h.onData(msg.data, msg.offset);
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
