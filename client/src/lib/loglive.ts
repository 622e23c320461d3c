// Live output into a log window (logwindow.ts): text from the log WebSocket
// at a byte offset, batched into lines by the caller's timer, and the end of
// the step. Plain data in and out.
import { parseLine } from "./ansi.ts";
import { decoder, encoder, utf8len } from "./utf8.ts";
import { addAfter, detach, sum, toLines, type LogWindow } from "./logwindow.ts";

/**
 * Live output: `data` starts at byte `offset`. What the window has already
 * (a resend after a reconnect) is skipped; a gap (bytes that never came) lets
 * go of the live end, so the reader loads them over HTTP instead.
 */
export function receive(w: LogWindow, data: string, offset: number): LogWindow {
  if (!w.atEnd || w.ended) return w;
  if (offset > w.next) return detach(w);
  if (offset < w.next) {
    const bytes = encoder.encode(data);
    if (offset + bytes.length <= w.next) return w;
    data = decoder.decode(bytes.subarray(w.next - offset));
    offset = w.next;
  }
  return { ...w, pending: w.pending + data, next: offset + utf8len(data) };
}

/** Turns the text received into lines (the caller batches: live output comes in many small chunks). */
export function flush(w: LogWindow): LogWindow {
  if (!w.pending) return w;
  const parts = (w.carry + w.pending).split("\n");
  const carry = parts.pop() ?? "";
  const ansi = { ...w.ansi };
  const fresh = toLines(w.lastId, parts, parts.map((p) => utf8len(p) + 1), ansi);
  const partial = carry ? parseLine(carry, { ...ansi }) : null;
  return { ...addAfter(w, fresh, w.end + sum(fresh)), carry, pending: "", partial, ansi };
}

/** The step has ended: what is left becomes lines, the last one without a newline. */
export function finish(w: LogWindow): LogWindow {
  const f = flush(w);
  if (!f.carry) return { ...f, ended: true };
  const ansi = { ...f.ansi };
  const last = toLines(f.lastId, [f.carry], [utf8len(f.carry)], ansi);
  return { ...addAfter(f, last, f.end + last[0].bytes), carry: "", partial: null, ansi, ended: true };
}
