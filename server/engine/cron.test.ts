// CRON evaluation in a time zone, including the DST rules of classic cron.
import { describe, expect, test } from "bun:test";
import { CronError, dstNote, nextFires, parseCron } from "./cron.ts";

const iso = (t: number) => new Date(t).toISOString();
const fires = (expr: string, tz: string, from: string, n: number) =>
  nextFires(parseCron(expr), tz, Date.parse(from), n).map(iso);

describe("syntax", () => {
  test("ranges, lists, steps, names and Sunday as 0 or 7", () => {
    expect(fires("*/20 9-10 * * *", "UTC", "2026-01-01T00:00:00Z", 4)).toEqual([
      "2026-01-01T09:00:00.000Z", "2026-01-01T09:20:00.000Z", "2026-01-01T09:40:00.000Z", "2026-01-01T10:00:00.000Z",
    ]);
    expect(fires("0 12 * jan-feb sun", "UTC", "2026-01-01T00:00:00Z", 1)).toEqual(["2026-01-04T12:00:00.000Z"]);
    expect(fires("0 12 * * 7", "UTC", "2026-01-01T00:00:00Z", 1)).toEqual(["2026-01-04T12:00:00.000Z"]);
    expect(fires("5 0 1-30/10 * *", "UTC", "2026-01-01T00:00:00Z", 3)).toEqual([
      "2026-01-01T00:05:00.000Z", "2026-01-11T00:05:00.000Z", "2026-01-21T00:05:00.000Z",
    ]);
  });

  test("when both day fields are restricted a day matches if either does", () => {
    // the 13th, or any Friday
    expect(fires("0 0 13 * fri", "UTC", "2026-02-01T00:00:00Z", 4)).toEqual([
      "2026-02-06T00:00:00.000Z", "2026-02-13T00:00:00.000Z", "2026-02-20T00:00:00.000Z", "2026-02-27T00:00:00.000Z",
    ]);
  });

  test("fire times are strictly after the start", () => {
    expect(fires("0 3 * * *", "UTC", "2026-01-01T03:00:00Z", 1)).toEqual(["2026-01-02T03:00:00.000Z"]);
  });

  test("bad expressions and ones that never fire are refused with a reason", () => {
    expect(() => parseCron("* * *")).toThrow(CronError);
    expect(() => parseCron("* * *")).toThrow(/5 fields/);
    expect(() => parseCron("61 * * * *")).toThrow(/61/);
    expect(() => parseCron("0 0 31 2 *")).toThrow(/never fires/);
    expect(() => parseCron("0 0 30 2 *")).toThrow(/never fires/);
    expect(fires("0 0 29 2 *", "UTC", "2026-01-01T00:00:00Z", 1)).toEqual(["2028-02-29T00:00:00.000Z"]);
  });
});

describe("DST in Europe/Berlin (classic cron rules)", () => {
  const tz = "Europe/Berlin";

  test("spring forward: a fixed time in the gap fires once at the first valid minute", () => {
    // 2026-03-29 02:00 CET jumps to 03:00 CEST; 02:30 does not exist
    expect(fires("30 2 * * *", tz, "2026-03-28T00:00:00Z", 3)).toEqual([
      "2026-03-28T01:30:00.000Z", // 02:30 CET
      "2026-03-29T01:00:00.000Z", // 03:00 CEST, the first valid minute after the gap
      "2026-03-30T00:30:00.000Z", // 02:30 CEST
    ]);
  });

  test("spring forward: several fixed times in the gap make one run", () => {
    expect(fires("0,15,30 2 * * *", tz, "2026-03-29T00:00:00Z", 2)).toEqual([
      "2026-03-29T01:00:00.000Z",
      "2026-03-30T00:00:00.000Z",
    ]);
  });

  test("fall back: a fixed time in the repeated hour fires once, at its first occurrence", () => {
    // 2026-10-25 03:00 CEST goes back to 02:00 CET; 02:30 happens twice
    expect(fires("30 2 * * *", tz, "2026-10-24T12:00:00Z", 2)).toEqual([
      "2026-10-25T00:30:00.000Z", // 02:30 CEST, first pass
      "2026-10-26T01:30:00.000Z", // 02:30 CET next day
    ]);
  });

  test("spring forward: */15 follows real time and skips the missing hour", () => {
    expect(fires("*/15 * * * *", tz, "2026-03-29T00:30:00Z", 4)).toEqual([
      "2026-03-29T00:45:00.000Z", // 01:45 CET
      "2026-03-29T01:00:00.000Z", // 03:00 CEST
      "2026-03-29T01:15:00.000Z",
      "2026-03-29T01:30:00.000Z",
    ]);
  });

  test("fall back: */15 fires on both passes of the repeated hour", () => {
    // from 02:50 CEST (first pass): 02:00 CET (second pass) follows 15 minutes of real time later
    expect(fires("*/15 * * * *", tz, "2026-10-25T00:50:00Z", 9)).toEqual([
      "2026-10-25T01:00:00.000Z", // 02:00 CET, second pass
      "2026-10-25T01:15:00.000Z",
      "2026-10-25T01:30:00.000Z",
      "2026-10-25T01:45:00.000Z",
      "2026-10-25T02:00:00.000Z",
      "2026-10-25T02:15:00.000Z",
      "2026-10-25T02:30:00.000Z",
      "2026-10-25T02:45:00.000Z",
      "2026-10-25T03:00:00.000Z",
    ]);
    // from 01:50 CEST: 02:00 CEST (first pass) at 00:00Z, then every 15 minutes with no gap or double
    const both = fires("*/15 * * * *", tz, "2026-10-24T23:50:00Z", 9).map(Date.parse);
    expect(new Date(both[0]!).toISOString()).toBe("2026-10-25T00:00:00.000Z");
    expect(both.slice(1).map((t, i) => t - both[i]!)).toEqual(Array(8).fill(15 * 60_000));
  });

  test("fall back: an hourly task runs at 02:05 summer time and again at 02:05 winter time", () => {
    expect(fires("5 * * * *", tz, "2026-10-24T23:30:00Z", 3)).toEqual([
      "2026-10-25T00:05:00.000Z", // 02:05 CEST
      "2026-10-25T01:05:00.000Z", // 02:05 CET
      "2026-10-25T02:05:00.000Z", // 03:05 CET
    ]);
  });
});

describe("other zones", () => {
  test("half-hour shift (Australia/Lord_Howe): a time in the 30-minute gap fires at its end", () => {
    // 2026-10-04 02:00 +10:30 jumps to 02:30 +11:00
    expect(fires("0 2 * * *", "Australia/Lord_Howe", "2026-10-03T00:00:00Z", 2)).toEqual([
      "2026-10-03T15:30:00.000Z", // 02:30 +11:00, end of the gap
      "2026-10-04T15:00:00.000Z", // 02:00 +11:00
    ]);
  });

  test("America/New_York fall back at 01:00-02:00 for a fixed time", () => {
    // 2026-11-01 02:00 EDT goes back to 01:00 EST
    expect(fires("30 1 * * *", "America/New_York", "2026-10-31T12:00:00Z", 2)).toEqual([
      "2026-11-01T05:30:00.000Z", // 01:30 EDT
      "2026-11-02T06:30:00.000Z", // 01:30 EST
    ]);
  });
});

describe("DST notes for the preview", () => {
  const tz = "Europe/Berlin";
  const notes = (expr: string, from: string, n: number) => {
    const spec = parseCron(expr);
    return nextFires(spec, tz, Date.parse(from), n).map((t) => dstNote(spec, tz, t)?.kind ?? null);
  };
  test("a fixed time in the spring gap is marked skipped, one in the autumn repeat repeated", () => {
    expect(notes("30 2 * * *", "2026-03-28T12:00:00Z", 2)).toEqual(["skipped", null]);
    expect(notes("30 2 * * *", "2026-10-24T12:00:00Z", 2)).toEqual(["repeated", null]);
    expect(dstNote(parseCron("30 2 * * *"), tz, Date.parse("2026-03-29T01:00:00Z"))!.message).toContain("runs at 03:00");
  });
  test("a real-time schedule notes both passes of the repeated hour and the gap it skips", () => {
    expect(notes("5 * * * *", "2026-10-24T23:30:00Z", 3)).toEqual(["repeated", "repeated", null]);
    expect(notes("*/30 * * * *", "2026-03-29T00:10:00Z", 3)).toEqual([null, "skipped", null]);
  });
  test("ordinary times have no note", () => {
    expect(notes("0 3 * * *", "2026-03-28T12:00:00Z", 3)).toEqual([null, null, null]);
  });
});
