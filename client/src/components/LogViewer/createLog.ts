// The state of one step log on screen: a window of whole lines, [start, end)
// in bytes of the log file, never the whole file. It opens on the last 64 KiB
// (?tail=), and a running step then streams over the log WebSocket from the
// byte after it (resuming from the last byte after a drop). Earlier and later
// 64 KiB pieces load on demand (?offset=&limit=). The window holds at most
// MAX_LINES lines: past that, lines at the far side are dropped and can be
// loaded again, so a 200 MB log or a step writing 1 MB/s cannot grow the page
// without bound. While the window does not reach the end of a running step,
// live output is not followed; reaching the end again re-attaches.
import { createSignal, onCleanup } from "solid-js";
import { api } from "../../api.ts";
import { followLog } from "../../logstream.ts";
import { freshState, parseLine, plainText, type Seg, type SgrState } from "../../lib/ansi.ts";
import { decoder, utf8len, wholeChars } from "../../lib/utf8.ts";
import { failingLine } from "../../lib/failing.ts";
import type { RunStep } from "../../types.ts";

export const PIECE = 65536;
export const MAX_LINES = 10000;
const KEEP_LINES = 7500;

export interface Line {
  id: number;
  segs: Seg[];
  plain: string;
  /** bytes in the file, newline included */
  bytes: number;
}

/** Splits bytes at newlines: whole lines, and the bytes after the last newline. */
function splitBytes(b: Uint8Array): { lines: string[]; sizes: number[]; rest: Uint8Array } {
  const lines: string[] = [];
  const sizes: number[] = [];
  let at = 0;
  for (let nl = b.indexOf(10); nl >= 0; nl = b.indexOf(10, at)) {
    lines.push(decoder.decode(b.subarray(at, nl)));
    sizes.push(nl + 1 - at);
    at = nl + 1;
  }
  return { lines, sizes, rest: b.subarray(at) };
}

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
  const [lines, setLines] = createSignal<Line[]>([]);
  const [partial, setPartial] = createSignal<Seg[] | null>(null);
  /** byte offset of the first line held */
  const [start, setStart] = createSignal(0);
  /** the held lines reach the end of the log (and, while it runs, follow it) */
  const [atEnd, setAtEnd] = createSignal(true);
  const [ended, setEnded] = createSignal(false);
  const [connected, setConnected] = createSignal(false);
  const [busy, setBusy] = createSignal(true);
  const [error, setError] = createSignal("");
  /** the line a failed step most likely failed at */
  const [failing, setFailing] = createSignal<number | null>(null);
  const st = {
    ansi: freshState(),
    carry: "",
    text: "",
    timer: 0 as ReturnType<typeof setTimeout> | 0,
    id: 0,
    /** byte offset after the last whole line held */
    end: 0,
    /** the log's size as last heard */
    size: latest ? step.log_bytes : 0,
    stop: null as null | (() => void),
    gone: false,
  };

  const mk = (raw: string, ansi: SgrState, bytes: number): Line => {
    const segs = parseLine(raw, ansi);
    return { id: ++st.id, segs, plain: plainText(segs), bytes };
  };
  const sum = (ls: Line[]) => ls.reduce((n, l) => n + l.bytes, 0);

  /** Appends at the end, dropping the oldest lines past the cap (keeping the reader's place). */
  const append = (fresh: Line[]) => {
    if (!fresh.length) return;
    st.end += sum(fresh);
    const all = lines().concat(fresh);
    if (all.length <= MAX_LINES) return setLines(all);
    const drop = all.length - KEEP_LINES;
    opts.keepPlace(() => {
      setStart((s) => s + sum(all.slice(0, drop)));
      setLines(all.slice(drop));
    });
  };

  // Live output arrives in many small chunks; turn them into lines at most
  // every 60 ms (a timer armed by data, not a poll).
  const push = (text: string) => {
    st.text += text;
    if (!st.timer) st.timer = setTimeout(flush, 60);
  };
  const flush = () => {
    st.timer = 0;
    const parts = (st.carry + st.text).split("\n");
    st.text = "";
    st.carry = parts.pop() ?? "";
    append(parts.map((p) => mk(p, st.ansi, utf8len(p) + 1)));
    setPartial(st.carry ? parseLine(st.carry, { ...st.ansi }) : null);
  };

  const follow = (from: number) => {
    st.stop = followLog(run, step.position, from, {
      onData: (data, offset) => {
        st.size = Math.max(st.size, offset + utf8len(data));
        push(data);
      },
      onEnd: finish,
      onConnected: setConnected,
    }, attempt);
  };

  /** Puts the tail on screen: the first screen, and "jump to the end". */
  const loadTail = async (live: boolean) => {
    const p = await api.runs.logTail(run, step.position, PIECE, PIECE, attempt);
    if (st.gone) return;
    st.size = p.size;
    // Starting inside the file: drop the cut first line (unless it is all we have).
    const nl = p.start > 0 ? p.bytes.indexOf(10) : -1;
    const cut = nl >= 0 ? nl + 1 : 0;
    const whole = live ? wholeChars(p.bytes) : p.bytes.length;
    st.ansi = freshState();
    st.carry = "";
    st.text = "";
    st.end = p.start + cut;
    setStart(p.start + cut);
    setLines([]);
    setPartial(null);
    setAtEnd(true);
    push(decoder.decode(p.bytes.subarray(cut, whole)));
    if (live) follow(p.start + whole);
    else finish();
  };

  const begin = async () => {
    try {
      await loadTail(live);
      if (!st.gone && failed) setFailing(failingLine(lines())?.id ?? null);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const finish = () => {
    setEnded(true);
    setConnected(false);
    if (st.timer) clearTimeout(st.timer);
    flush();
    if (st.carry) {
      append([mk(st.carry, st.ansi, utf8len(st.carry))]); // no newline after the last line
      st.carry = "";
      setPartial(null);
    }
  };

  /** Runs one load at a time; returns what `f` returns, or 0 when busy. */
  const guarded = async (f: () => Promise<number>): Promise<number> => {
    if (busy()) return 0;
    setBusy(true);
    try {
      return await f();
    } catch (e) {
      setError((e as Error).message);
      return 0;
    } finally {
      setBusy(false);
    }
  };

  /** Loads up to 64 KiB before the first line held. Returns the number of lines added. */
  const loadEarlier = () =>
    guarded(async () => {
      const to = start();
      if (to === 0) return 0;
      const from = Math.max(0, to - PIECE);
      const p = await api.runs.logRange(run, step.position, from, to - from, attempt);
      // The first line may be cut (unless we are at the file's start): it comes again with the next piece.
      const nl = from > 0 ? p.bytes.indexOf(10) : -1;
      const cut = nl >= 0 ? nl + 1 : 0;
      const { lines: raw, sizes, rest } = splitBytes(p.bytes.subarray(cut));
      if (rest.length) {
        // only when the held window began inside a line, which it never does; keep it anyway
        raw.push(decoder.decode(rest));
        sizes.push(rest.length);
      }
      const ansi = freshState();
      const older = raw.map((r, i) => mk(r, ansi, sizes[i]));
      setStart(from + cut);
      setLines((ls) => {
        const all = older.concat(ls);
        if (all.length <= MAX_LINES) return all;
        // Too many: let go of the newest lines (and of following the live end).
        const kept = all.slice(0, KEEP_LINES);
        detach(sum(all.slice(KEEP_LINES)));
        return kept;
      });
      return older.length;
    });

  /** Stops following the live end; the window now ends `dropped` bytes before where it did. */
  const detach = (dropped: number) => {
    st.stop?.();
    st.stop = null;
    if (st.timer) clearTimeout(st.timer);
    st.timer = 0;
    st.text = "";
    st.carry = "";
    setPartial(null);
    setConnected(false);
    st.end -= dropped;
    setAtEnd(false);
  };

  /** Loads up to 64 KiB after the last line held; re-attaches to the live end when it gets there. */
  const loadLater = () =>
    guarded(async () => {
      if (atEnd()) return 0;
      const from = st.end;
      const p = await api.runs.logRange(run, step.position, from, PIECE, attempt);
      st.size = p.size;
      const reachesEnd = from + p.bytes.length >= p.size;
      const { lines: raw, sizes, rest } = splitBytes(p.bytes);
      // the colours at `from` are unknown: start fresh, as a terminal would after a reset
      const ansi = freshState();
      const later = raw.map((r, i) => mk(r, ansi, sizes[i]));
      st.ansi = ansi;
      const added = later.length;
      if (reachesEnd && ended()) {
        if (rest.length) later.push(mk(decoder.decode(rest), ansi, rest.length));
      }
      st.end += sum(later);
      setLines((ls) => {
        const all = ls.concat(later);
        if (all.length <= MAX_LINES) return all;
        const drop = all.length - KEEP_LINES;
        setStart((s) => s + sum(all.slice(0, drop)));
        return all.slice(drop);
      });
      if (reachesEnd) {
        setAtEnd(true);
        if (!ended()) {
          const whole = wholeChars(rest);
          push(decoder.decode(rest.subarray(0, whole)));
          follow(st.end + whole);
        }
      }
      return added;
    });

  /** Back to the end of the log (and to following it), in one request. */
  const toEnd = () =>
    guarded(async () => {
      if (atEnd()) return 0;
      await loadTail(!ended());
      return 1;
    });

  onCleanup(() => {
    st.gone = true;
    st.stop?.();
    if (st.timer) clearTimeout(st.timer);
  });
  void begin();

  return { lines, partial, start, atEnd, ended, connected, busy, error, failing, loadEarlier, loadLater, toEnd };
}
