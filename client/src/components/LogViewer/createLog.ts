// The state of one step log on screen. The first screen is the last 64 KiB,
// fetched as exact bytes; a running step then streams over the log
// WebSocket from the byte after it (resuming from the last byte after a
// drop). Earlier 64 KiB ranges load on demand. At most MAX_LINES stay in
// memory while following, so a step writing 1 MB/s cannot grow the page
// without bound; dropped lines can be loaded again from the top.
import { createSignal, onCleanup } from "solid-js";
import { api } from "../../api.ts";
import { followLog } from "../../logstream.ts";
import { freshState, parseLine, plainText, type Seg, type SgrState } from "../../lib/ansi.ts";
import { decoder, utf8len, wholeChars } from "../../lib/utf8.ts";
import type { RunStep } from "../../types.ts";

export const TAIL = 65536;
const LIVE_FIRST = 1 << 20;
const MAX_LINES = 20000;
const KEEP_LINES = 15000;

export interface Line {
  id: number;
  segs: Seg[];
  plain: string;
  bytes: number;
}

export function createLog(run: number, step: RunStep) {
  const [lines, setLines] = createSignal<Line[]>([]);
  const [partial, setPartial] = createSignal<Seg[] | null>(null);
  const [start, setStart] = createSignal(0);
  const [ended, setEnded] = createSignal(false);
  const [connected, setConnected] = createSignal(false);
  const [busy, setBusy] = createSignal(true);
  const [error, setError] = createSignal("");
  const st = { ansi: freshState(), carry: "", text: "", timer: 0 as ReturnType<typeof setTimeout> | 0, id: 0, stop: null as null | (() => void), gone: false };

  const mk = (raw: string, ansi: SgrState): Line => {
    const segs = parseLine(raw, ansi);
    return { id: ++st.id, segs, plain: plainText(segs), bytes: utf8len(raw) + 1 };
  };

  // Output arrives in many small chunks; turn them into lines at most every
  // 60 ms (a timer armed by data, not a poll).
  const push = (text: string) => {
    st.text += text;
    if (!st.timer) st.timer = setTimeout(flush, 60);
  };
  const flush = () => {
    st.timer = 0;
    const parts = (st.carry + st.text).split("\n");
    st.text = "";
    st.carry = parts.pop() ?? "";
    if (parts.length) {
      const fresh = parts.map((p) => mk(p, st.ansi));
      setLines((ls) => {
        const all = ls.concat(fresh);
        if (all.length <= MAX_LINES) return all;
        const drop = all.length - KEEP_LINES;
        setStart((s) => s + all.slice(0, drop).reduce((n, l) => n + l.bytes, 0));
        return all.slice(drop);
      });
    }
    setPartial(st.carry ? parseLine(st.carry, { ...st.ansi }) : null);
  };

  const begin = async () => {
    const live = step.status === "running" || step.status === "pending";
    try {
      // A running step's size in our copy of the run may be old; ask for the
      // current one so the first screen is the real tail, not the head.
      const size = live
        ? ((await api.runs.get(run)).steps.find((s) => s.position === step.position)?.log_bytes ?? step.log_bytes)
        : step.log_bytes;
      if (st.gone) return;
      const from = Math.max(0, size - TAIL);
      const bytes = await api.runs.logRange(run, step.position, from, live ? LIVE_FIRST : TAIL);
      if (st.gone) return;
      // Starting inside the file: drop the cut first line (unless it is all we have).
      const nl = from > 0 ? bytes.indexOf(10) : -1;
      const cut = nl >= 0 ? nl + 1 : 0;
      const whole = live ? wholeChars(bytes) : bytes.length;
      setStart(from + cut);
      push(decoder.decode(bytes.subarray(cut, whole)));
      if (!live) return finish();
      st.stop = followLog(run, step.position, from + whole, {
        onData: (data) => push(data),
        onEnd: finish,
        onConnected: setConnected,
      });
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
      const last = mk(st.carry, st.ansi);
      last.bytes -= 1; // no newline after the last line
      st.carry = "";
      setLines((ls) => [...ls, last]);
      setPartial(null);
    }
  };

  /** Loads up to 64 KiB before the first line held. Returns the number of lines added. */
  const loadEarlier = async (): Promise<number> => {
    const end = start();
    if (busy() || end === 0) return 0;
    setBusy(true);
    try {
      const from = Math.max(0, end - TAIL);
      const bytes = await api.runs.logRange(run, step.position, from, end - from);
      const nl = from > 0 ? bytes.indexOf(10) : -1;
      const cut = nl >= 0 ? nl + 1 : 0;
      const parts = decoder.decode(bytes.subarray(cut)).split("\n");
      if (parts[parts.length - 1] === "") parts.pop();
      const ansi = freshState();
      const older = parts.map((p) => mk(p, ansi));
      setLines((ls) => older.concat(ls));
      setStart(from + cut);
      return older.length;
    } catch (e) {
      setError((e as Error).message);
      return 0;
    } finally {
      setBusy(false);
    }
  };

  onCleanup(() => {
    st.gone = true;
    st.stop?.();
    if (st.timer) clearTimeout(st.timer);
  });
  void begin();

  return { lines, partial, start, ended, connected, busy, error, loadEarlier };
}
