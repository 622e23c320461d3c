import { describe, expect, test } from "bun:test";
import { matchIds, scrolled, statusText } from "./logview.ts";
import type { Line } from "./logwindow.ts";

const liveEnd = { start: 5000, atEnd: true, ended: false };
const middle = { start: 5000, atEnd: false, ended: false };
const idle = { follow: true, busy: false };

describe("scrolling the log", () => {
  test("up pauses following; back to the bottom of a live log follows again", () => {
    expect(scrolled({ top: 900, gap: 300 }, idle, liveEnd).follow).toBe(false);
    expect(scrolled({ top: 900, gap: 20 }, idle, liveEnd).follow).toBe(true); // a small gap: still at the end
    expect(scrolled({ top: 900, gap: 2 }, { follow: false, busy: false }, liveEnd).follow).toBe(true);
    expect(scrolled({ top: 900, gap: 2 }, { follow: false, busy: false }, { ...liveEnd, ended: true }).follow).toBe(false);
    expect(scrolled({ top: 900, gap: 2 }, { follow: false, busy: false }, middle).follow).toBe(false);
  });

  test("near the top loads the earlier piece, near the bottom the later one, one load at a time", () => {
    expect(scrolled({ top: 10, gap: 900 }, idle, middle).load).toBe("earlier");
    expect(scrolled({ top: 10, gap: 900 }, idle, { ...middle, start: 0 }).load).toBe(null); // the file's start
    expect(scrolled({ top: 900, gap: 10 }, idle, middle).load).toBe("later");
    expect(scrolled({ top: 900, gap: 10 }, idle, liveEnd).load).toBe(null); // live output comes by itself
    expect(scrolled({ top: 10, gap: 900 }, { follow: false, busy: true }, middle)).toEqual({ follow: false, load: null });
  });
});

test("the status line says what the log is doing", () => {
  const s = { waiting: false, connected: true, busy: false };
  expect(statusText(liveEnd, s)).toBe("Live");
  expect(statusText(liveEnd, { ...s, connected: false })).toBe("Reconnecting…");
  expect(statusText(liveEnd, { ...s, connected: false, busy: true })).toBe("Loading…");
  expect(statusText(middle, s)).toBe("Live output paused while you read");
  expect(statusText({ ...middle, ended: true }, s)).toBe("Complete");
  expect(statusText({ ...middle, ended: true }, { ...s, waiting: true })).toBe("This attempt failed; waiting to try again");
});

test("search finds the lines held that contain the words, in order", () => {
  const lines = ["Starting", "ERROR: disk full", "retry", "error again"].map((plain, i) => ({ id: i + 1, plain }) as Line);
  expect(matchIds(lines, "error")).toEqual([2, 4]);
  expect(matchIds(lines, "")).toEqual([]);
});
