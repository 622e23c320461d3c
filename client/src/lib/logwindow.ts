// A window of a step log: whole lines over [start, end) of the file's bytes,
// never the whole file. Plain data in and out, no Solid and no fetch: the
// LogViewer's createLog holds one and feeds it what the server sends, pieces
// over HTTP as bytes at an offset (logpieces.ts) and live output as text at an
// offset (loglive.ts). The window holds at most MAX_LINES lines; past that it lets go
// of the side away from the reader (an earlier piece drops the newest lines, a
// later piece or live output the oldest), which can be loaded again.
import { freshState, parseLine, plainText, type Seg, type SgrState } from "./ansi.ts";

export const PIECE = 65536;
export const MAX_LINES = 10000;
/** what a trimmed window keeps: room for a few pieces before the next trim */
const KEEP_LINES = 7500;

export interface Line {
  id: number;
  segs: Seg[];
  plain: string;
  /** bytes in the file, newline included */
  bytes: number;
}

/** Bytes of the log from `start`, and the log's size when they were read. */
export interface Piece {
  bytes: Uint8Array;
  start: number;
  size: number;
}

export interface LogWindow {
  readonly lines: Line[];
  /** byte offset of the first line */
  readonly start: number;
  /** byte offset after the last whole line */
  readonly end: number;
  /** live: the unfinished last line, and the text received since the last flush */
  readonly carry: string;
  readonly pending: string;
  /** live: the byte offset after the last byte received, where a reconnect resumes */
  readonly next: number;
  /** `carry` as shown */
  readonly partial: Seg[] | null;
  /** colours at the start of `carry` */
  readonly ansi: SgrState;
  /** the lines reach the end of the log (and, while it runs, follow it) */
  readonly atEnd: boolean;
  readonly ended: boolean;
  /** ids stay unique across reloads (the view finds lines by id) */
  readonly lastId: number;
}

export function emptyWindow(): LogWindow {
  return { lines: [], start: 0, end: 0, carry: "", pending: "", next: 0, partial: null, ansi: freshState(), atEnd: true, ended: false, lastId: 0 };
}

/** Lines numbered after `after`; `ansi` moves on as they are read. */
export function toLines(after: number, raw: string[], sizes: number[], ansi: SgrState): Line[] {
  return raw.map((r, i) => {
    const segs = parseLine(r, ansi);
    return { id: after + i + 1, segs, plain: plainText(segs), bytes: sizes[i] };
  });
}
export const lastId = (w: LogWindow, added: Line[]) => added.at(-1)?.id ?? w.lastId;
export const sum = (ls: Line[]) => ls.reduce((n, l) => n + l.bytes, 0);

/** Lines added after the window's; past the cap the oldest go (the reader is at the end). */
export function addAfter(w: LogWindow, fresh: Line[], end: number): LogWindow {
  if (!fresh.length) return { ...w, end };
  const all = w.lines.concat(fresh);
  const drop = all.length > MAX_LINES ? all.length - KEEP_LINES : 0;
  return { ...w, lines: drop ? all.slice(drop) : all, start: w.start + sum(all.slice(0, drop)), end, lastId: lastId(w, fresh) };
}

/** Lines added before the window's; past the cap the newest go, and with them the live end (the reader is reading back). */
export function addBefore(w: LogWindow, older: Line[], start: number): LogWindow {
  const all = older.concat(w.lines);
  const moved = { ...w, lines: all, start, lastId: lastId(w, older) };
  if (all.length <= MAX_LINES) return moved;
  return detach({ ...moved, lines: all.slice(0, KEEP_LINES), end: w.end - sum(all.slice(KEEP_LINES)) });
}

/** Lets go of the live end: the window now ends where its last line does. */
export const detach = (w: LogWindow): LogWindow => ({ ...w, carry: "", pending: "", partial: null, next: w.end, atEnd: false });
