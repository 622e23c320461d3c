import { describe, expect, test } from "bun:test";
import { emptyWindow, MAX_LINES, type LogWindow } from "./logwindow.ts";
import { atTail } from "./logpieces.ts";
import { finish, flush, receive } from "./loglive.ts";
import { encoder, utf8len } from "./utf8.ts";

/** A running log opened on `text` (from byte 0), flushed. */
const running = (text: string) => flush(atTail(emptyWindow(), { bytes: encoder.encode(text), start: 0, size: utf8len(text) }, true));
const plain = (w: LogWindow) => w.lines.map((l) => l.plain);

describe("live output", () => {
  test("a chunk at the next byte is held until the flush, then becomes lines and an unfinished one", () => {
    let w = running("one\n");
    w = receive(w, "two\nthr", 4);
    expect(plain(w)).toEqual(["one"]);
    expect(w.next).toBe(11);
    w = flush(receive(w, "ee\nfo", 11));
    expect(plain(w)).toEqual(["one", "two", "three"]);
    expect([w.carry, w.partial?.[0].text, w.end, w.next]).toEqual(["fo", "fo", 14, 16]);
  });

  test("bytes sent again after a reconnect are taken once, cut at the byte (multi-byte characters too)", () => {
    let w = running("héllo\n"); // 7 bytes
    w = receive(w, "wörld\n", 7);
    expect(receive(w, "wörld\n", 7)).toBe(w); // all of it held already
    w = flush(receive(w, "ld\nnext\n", 11)); // "wör" is 4 bytes: "ld\n" is the resend
    expect(plain(w)).toEqual(["héllo", "wörld", "next"]);
    expect(w.next).toBe(utf8len("héllo\nwörld\nnext\n"));
  });

  test("a gap (bytes that never came) lets go of the live end, for the reader to load them", () => {
    const w = receive(running("one\ntw"), "lost\n", 20);
    expect([w.atEnd, w.carry, w.pending, w.partial, w.next]).toEqual([false, "", "", null, 4]);
    expect(receive(w, "more\n", 20)).toBe(w); // not following now: ignored
  });

  test("colours carry on from chunk to chunk, as in a terminal", () => {
    let w = flush(receive(running("\x1b[31mred\n"), "still red\n", 9));
    expect(w.lines[1].segs[0].cls).toBe("a-f1");
    w = flush(receive(w, "\x1b[0m", w.next));
    expect(w.partial).toEqual([]);
  });

  test("past the cap the oldest lines go: the reader is at the live end", () => {
    let w = running("");
    w = flush(receive(w, "x\n".repeat(MAX_LINES + 1), 0));
    expect(w.lines.length).toBeLessThan(MAX_LINES);
    expect(w.start).toBe(2 * (MAX_LINES + 1 - w.lines.length));
    expect(w.end).toBe(2 * (MAX_LINES + 1));
    expect(w.lines.reduce((n, l) => n + l.bytes, 0)).toBe(w.end - w.start);
  });

  test("at the end the unfinished line becomes the last, without a newline; nothing comes after", () => {
    const w = finish(receive(running("a\n"), "b ✓", 2));
    expect(plain(w)).toEqual(["a", "b ✓"]);
    expect([w.ended, w.carry, w.partial, w.end]).toEqual([true, "", null, 2 + utf8len("b ✓")]);
    expect(receive(w, "late\n", w.end)).toBe(w);
    expect(finish(running("a\n")).lines.length).toBe(1);
  });
});
