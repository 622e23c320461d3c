import { describe, expect, test } from "bun:test";
import { emptyWindow, MAX_LINES, type LogWindow } from "./logwindow.ts";
import { appendPiece, atTail, prepend } from "./logpieces.ts";
import { finish, flush } from "./loglive.ts";
import { encoder } from "./utf8.ts";

/** A log of numbered lines (ASCII: a character is a byte), and pieces of it as the server sends them. */
const numbered = (n: number, tail = "") => Array.from({ length: n }, (_, i) => `${i + 1}\n`).join("") + tail;
const piece = (log: string, from: number, to = log.length) => ({ bytes: encoder.encode(log.slice(from, to)), start: from, size: log.length });

/** The window holds exactly the log's lines over [start, end), each with its own size. */
function expectHolds(w: LogWindow, log: string) {
  expect(w.lines.map((l) => l.plain)).toEqual(log.slice(w.start, w.end).replace(/\n$/, "").split("\n"));
  expect(w.lines.reduce((n, l) => n + l.bytes, 0)).toBe(w.end - w.start);
  expect(new Set(w.lines.map((l) => l.id)).size).toBe(w.lines.length);
}

/** A finished log opened on its last `n` bytes. */
const tailOf = (log: string, n: number) => finish(atTail(emptyWindow(), piece(log, log.length - n), false));

describe("the tail", () => {
  test("opens on the last piece without its cut first line; a finished log ends with its last line", () => {
    const log = "a\nbb\nccc\nlast";
    const w = finish(atTail(emptyWindow(), piece(log, 2), false));
    expect(w.lines.map((l) => l.plain)).toEqual(["ccc", "last"]);
    expect([w.start, w.end, w.atEnd, w.ended]).toEqual([5, log.length, true, true]);
    expectHolds(w, log);
  });

  test("of a running log waits for the socket with the unfinished line and a cut character", () => {
    const bytes = encoder.encode("one\ntwo é");
    const w = flush(atTail(emptyWindow(), { bytes: bytes.subarray(0, bytes.length - 1), start: 0, size: bytes.length - 1 }, true));
    expect(w.lines.map((l) => l.plain)).toEqual(["one"]);
    expect(w.carry).toBe("two ");
    expect(w.next).toBe(8); // the first byte of é comes again over the socket
    expect(w.ended).toBe(false);
  });
});

describe("an earlier piece", () => {
  const log = numbered(200);

  test("goes before the lines held, its cut first line left for the piece before it", () => {
    const w = tailOf(log, 100);
    const r = prepend(w, piece(log, w.start - 50, w.start));
    expect(r.added).toBeGreaterThan(0);
    expect(r.w.start).toBeLessThan(w.start);
    expect(r.w.start).toBeGreaterThan(w.start - 50);
    expect(r.w.lines.slice(r.added)).toEqual(w.lines);
    expectHolds(r.w, log);
  });

  test("from the file's start keeps its first line", () => {
    const w = tailOf(log, 100);
    const r = prepend(w, piece(log, 0, w.start));
    expect(r.w.start).toBe(0);
    expect(r.w.lines[0].plain).toBe("1");
    expectHolds(r.w, log);
  });

  test("that overlaps the lines held adds each line once; one that falls short adds nothing", () => {
    const w = tailOf(log, 100);
    const r = prepend(w, piece(log, w.start - 50, w.start + 30));
    expectHolds(r.w, log);
    expect(r.w.lines.at(-1)).toBe(w.lines.at(-1));
    expect(prepend(w, piece(log, w.start - 50, w.start - 10))).toEqual({ w, added: 0 });
    expect(prepend(w, piece(log, w.start, w.start + 10))).toEqual({ w, added: 0 });
  });

  test("past the cap lets go of the newest lines and of the live end: the reader is reading back", () => {
    const big = numbered(30_000);
    const w = tailOf(big, 45_000); // 7,499 lines
    const r = prepend(w, piece(big, w.start - 20_000, w.start)); // 3,333 more
    expect(r.w.lines.length).toBeLessThanOrEqual(MAX_LINES);
    expect(r.w.lines.slice(0, r.added).map((l) => l.plain)).toEqual(big.slice(r.w.start, w.start - 1).split("\n").slice(0, r.added));
    expect(Number(r.w.lines.at(-1)?.plain)).toBeLessThan(30_000);
    expect(r.w.start).toBeLessThan(w.start);
    expect(r.w.end).toBeLessThan(w.end);
    expect([r.w.atEnd, r.w.pending, r.w.carry]).toEqual([false, "", ""]);
    expectHolds(r.w, big);
  });
});

describe("a later piece", () => {
  const log = numbered(30_000);
  /** a window read back from the tail until it let go of the end */
  const readBack = () => {
    const w = tailOf(log, 45_000);
    return prepend(w, piece(log, w.start - 20_000, w.start)).w;
  };

  test("goes after the lines held; one that overlaps adds each line once, one further on adds nothing", () => {
    const w = readBack();
    const r = appendPiece(w, piece(log, w.end, w.end + 100));
    expect(r.added).toBeGreaterThan(0);
    expect(r.w.atEnd).toBe(false);
    expectHolds(r.w, log);
    expect(appendPiece(w, piece(log, w.end - 30, w.end + 100)).w.lines).toEqual(r.w.lines);
    expect(appendPiece(w, piece(log, w.end + 5, w.end + 100))).toEqual({ w, added: 0 });
  });

  test("past the cap lets go of the oldest lines: the reader is reading on", () => {
    let w = readBack();
    const first = w.lines[0];
    for (let i = 0; i < 6 && !w.atEnd; i++) w = appendPiece(w, piece(log, w.end, w.end + 4000)).w;
    expect(w.lines.length).toBeLessThanOrEqual(MAX_LINES);
    expect(w.lines[0]).not.toBe(first);
    expectHolds(w, log);
  });

  test("reaching the end of a finished log takes its last line without a newline", () => {
    const ended = numbered(30_000, "no newline");
    const w0 = tailOf(ended, 45_000);
    let w = prepend(w0, piece(ended, w0.start - 20_000, w0.start)).w;
    while (!w.atEnd) w = appendPiece(w, piece(ended, w.end, w.end + 65536)).w;
    expect([w.end, w.ended, w.lines.at(-1)?.plain]).toEqual([ended.length, true, "no newline"]);
    expectHolds(w, ended);
  });

  test("reaching the end of a running log goes on live from its last byte, a cut character held back", () => {
    const bytes = encoder.encode("a\nb\nc é");
    const w = flush(atTail(emptyWindow(), { bytes, start: 0, size: bytes.length }, true));
    const back = { ...w, lines: w.lines.slice(0, 1), end: 2, carry: "", pending: "", next: 2, atEnd: false };
    const r = appendPiece(back, { bytes: bytes.subarray(2, bytes.length - 1), start: 2, size: bytes.length - 1 });
    expect(r.w.lines.map((l) => l.plain)).toEqual(["a", "b"]);
    expect([r.w.atEnd, r.w.pending, r.w.next]).toEqual([true, "c ", bytes.length - 2]);
  });
});
