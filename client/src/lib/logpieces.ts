// Pieces of a step log loaded over HTTP into a log window (logwindow.ts):
// the tail (?tail=), and the pieces before and after what it holds
// (?offset=&limit=). Plain data in and out.
import { freshState } from "./ansi.ts";
import { decoder, wholeChars } from "./utf8.ts";
import { addAfter, addBefore, emptyWindow, lastId, sum, toLines, type LogWindow, type Piece } from "./logwindow.ts";

/** Splits bytes at newlines: whole lines with their sizes, and the bytes after the last newline. */
function splitBytes(b: Uint8Array): { raw: string[]; sizes: number[]; rest: Uint8Array } {
  const raw: string[] = [];
  const sizes: number[] = [];
  let at = 0;
  for (let nl = b.indexOf(10); nl >= 0; nl = b.indexOf(10, at)) {
    raw.push(decoder.decode(b.subarray(at, nl)));
    sizes.push(nl + 1 - at);
    at = nl + 1;
  }
  return { raw, sizes, rest: b.subarray(at) };
}

/**
 * The window on a tail piece: the first screen, and "jump to the end". A piece
 * starting inside the file drops its cut first line (unless it is all there
 * is). `live`: bytes of a character cut at the end wait for the socket.
 */
export function atTail(w: LogWindow, p: Piece, live: boolean): LogWindow {
  const nl = p.start > 0 ? p.bytes.indexOf(10) : -1;
  const cut = nl >= 0 ? nl + 1 : 0;
  const whole = live ? wholeChars(p.bytes) : p.bytes.length;
  const text = decoder.decode(p.bytes.subarray(cut, whole));
  return { ...emptyWindow(), start: p.start + cut, end: p.start + cut, pending: text, next: p.start + whole, ended: w.ended, lastId: w.lastId };
}

/**
 * An earlier piece, up to where the window starts (an overlap is skipped, a
 * piece that falls short is left out). Its first line may be cut (unless it
 * starts the file): it comes whole with the piece before. Past the cap the
 * newest lines go, and with them the live end. `added`: lines that came.
 */
export function prepend(w: LogWindow, p: Piece): { w: LogWindow; added: number } {
  if (p.start >= w.start || p.start + p.bytes.length < w.start) return { w, added: 0 };
  const bytes = p.bytes.subarray(0, w.start - p.start);
  const nl = p.start > 0 ? bytes.indexOf(10) : -1;
  const cut = nl >= 0 ? nl + 1 : 0;
  const { raw, sizes, rest } = splitBytes(bytes.subarray(cut));
  if (rest.length) {
    // only when the window began inside a line, which it never does; keep it anyway
    raw.push(decoder.decode(rest));
    sizes.push(rest.length);
  }
  const older = toLines(w.lastId, raw, sizes, freshState());
  return { w: addBefore(w, older, p.start + cut), added: older.length };
}

/**
 * A later piece, from where the window's lines end (an overlap is skipped, a
 * piece that starts further on is left out). At the log's end the window
 * reaches it again: a finished log ends with the piece; a running one goes on
 * live from `next`. Past the cap the oldest lines go. `added`: whole lines that came.
 */
export function appendPiece(w: LogWindow, p: Piece): { w: LogWindow; added: number } {
  if (w.atEnd || p.start > w.end) return { w, added: 0 };
  const bytes = p.bytes.subarray(Math.min(w.end - p.start, p.bytes.length));
  const reachesEnd = w.end + bytes.length >= p.size;
  const { raw, sizes, rest } = splitBytes(bytes);
  // the colours at the piece's start are unknown: start fresh, as a terminal would after a reset
  const ansi = freshState();
  const later = toLines(w.lastId, raw, sizes, ansi);
  const added = later.length;
  if (reachesEnd && w.ended && rest.length) later.push(...toLines(lastId(w, later), [decoder.decode(rest)], [rest.length], ansi));
  const grown = { ...addAfter(w, later, w.end + sum(later)), ansi };
  if (!reachesEnd) return { w: { ...grown, next: grown.end }, added };
  const whole = w.ended ? 0 : wholeChars(rest);
  return { w: { ...grown, atEnd: true, pending: decoder.decode(rest.subarray(0, whole)), next: grown.end + whole }, added };
}
