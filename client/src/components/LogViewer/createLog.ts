// The state of one step log on screen, in Solid: a log window (lib/logwindow.ts:
// whole lines over a byte range, never the whole file) fed by the server. It
// opens on the last 64 KiB (?tail=), and a running step then streams over the
// log WebSocket from the byte after it (resuming from the window's last byte
// after a drop). Earlier and later 64 KiB pieces load on demand
// (?offset=&limit=). While the window does not reach the end of a running
// step, live output is not followed; reaching the end again re-attaches.
import { createMemo, createSignal, onCleanup } from "solid-js";
import { api } from "../../api.ts";
import { followLog } from "../../logstream.ts";
import { failingLine } from "../../lib/failing.ts";
import { createSubmit } from "../../lib/submit.ts";
import { emptyWindow, PIECE, type LogWindow } from "../../lib/logwindow.ts";
import { appendPiece, atTail, prepend } from "../../lib/logpieces.ts";
import { finish, flush, receive } from "../../lib/loglive.ts";
import type { RunStep } from "../../types.ts";

const failedStatus = (s: RunStep["status"]) => s === "failed" || s === "timed_out";

export interface LogOptions {
  /** Runs a change that drops lines above the view, keeping what is on screen in place. */
  keepPlace: (change: () => void) => void;
  /** which attempt of a retried step (default: the step's latest) */
  attempt?: number;
}

export function createLog(run: number, step: RunStep, opts: LogOptions = { keepPlace: (f) => f() }) {
  // Every request names the attempt: a reconnect or a later piece must not
  // land in the next attempt's log once the step is tried again.
  const attempt = Math.min(opts.attempt ?? step.attempt, step.attempt);
  const latest = attempt === step.attempt;
  // An earlier attempt has ended, and it failed or timed out (or it would not have been tried again).
  const live = latest && (step.status === "running" || step.status === "pending");
  const failed = latest ? failedStatus(step.status) : true;
  const [win, setWin] = createSignal<LogWindow>(emptyWindow());
  // what the view reads, each notifying only when it changes
  const lines = createMemo(() => win().lines);
  const partial = createMemo(() => win().partial);
  const start = createMemo(() => win().start);
  const atEnd = createMemo(() => win().atEnd);
  const ended = createMemo(() => win().ended);
  const [connected, setConnected] = createSignal(false);
  const loads = createSubmit();
  /** the line a failed step most likely failed at */
  const [failing, setFailing] = createSignal<number | null>(null);
  const st = { timer: 0 as ReturnType<typeof setTimeout> | 0, stop: null as null | (() => void), gone: false };

  /** Live lines: when they push the oldest out, the reader's place is kept. */
  const settle = (w: LogWindow) => (w.start !== win().start ? opts.keepPlace(() => setWin(w)) : setWin(w));
  const stopTimer = () => {
    if (st.timer) clearTimeout(st.timer);
    st.timer = 0;
  };
  // Live output arrives in many small chunks; turn them into lines at most
  // every 60 ms (a timer armed by data, not a poll).
  const soon = () => {
    if (win().pending && !st.timer) st.timer = setTimeout(() => ((st.timer = 0), settle(flush(win()))), 60);
  };
  /** A window that let go of the live end (a gap, or the newest lines dropped) stops following it. */
  const put = (w: LogWindow) => {
    if (!w.atEnd) {
      st.stop?.();
      st.stop = null;
      stopTimer();
      setConnected(false);
    }
    setWin(w);
  };
  const end = () => {
    setConnected(false);
    stopTimer();
    settle(finish(win()));
  };
  const follow = () => {
    st.stop = followLog(run, step.position, () => win().next, {
      onData: (data, offset) => (put(receive(win(), data, offset)), soon()),
      onEnd: end,
      onConnected: setConnected,
    }, attempt);
  };

  /** Puts the tail on screen: the first screen, and "jump to the end". */
  const loadTail = async (live: boolean) => {
    const p = await api.runs.logTail(run, step.position, PIECE, PIECE, attempt);
    if (st.gone) return;
    setWin(atTail(win(), p, live));
    if (!live) return end();
    soon();
    follow();
  };

  /** Runs one load at a time; returns what `f` returns, or 0 when busy or when it failed (the error shows). */
  const guarded = async (f: () => Promise<number>): Promise<number> => {
    let n = 0;
    if (!loads.busy()) await loads.run(async () => void (n = await f()));
    return n;
  };

  /** Loads up to 64 KiB before the first line held. Returns the number of lines added. */
  const loadEarlier = () =>
    guarded(async () => {
      const to = win().start;
      if (to === 0) return 0;
      const from = Math.max(0, to - PIECE);
      const r = prepend(win(), await api.runs.logRange(run, step.position, from, to - from, attempt));
      put(r.w);
      return r.added;
    });

  /** Loads up to 64 KiB after the last line held; re-attaches to the live end when it gets there. */
  const loadLater = () =>
    guarded(async () => {
      if (win().atEnd) return 0;
      const r = appendPiece(win(), await api.runs.logRange(run, step.position, win().end, PIECE, attempt));
      setWin(r.w);
      if (r.w.atEnd && !r.w.ended) {
        soon();
        follow();
      }
      return r.added;
    });

  /** Back to the end of the log (and to following it), in one request. */
  const toEnd = () =>
    guarded(async () => {
      if (win().atEnd) return 0;
      await loadTail(!win().ended);
      return 1;
    });

  onCleanup(() => {
    st.gone = true;
    st.stop?.();
    stopTimer();
  });
  // the first screen (busy until it is there)
  void guarded(async () => {
    await loadTail(live);
    if (!st.gone && failed) setFailing(failingLine(win().lines)?.id ?? null);
    return 0;
  });
  const { busy, error } = loads;
  return { lines, partial, start, atEnd, ended, connected, busy, error, failing, loadEarlier, loadLater, toEnd };
}
