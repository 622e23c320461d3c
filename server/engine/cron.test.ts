// CRON evaluation in a time zone, including the DST rules of classic cron.
import { describe, expect, test } from "bun:test";
import { CronError, dstNotes, nextFires, parseCron, preview } from "./cron.ts";

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

describe("strict classic syntax", () => {
  test("`N/S` runs from N to the end of the field, like `N-max/S`: 5/10 fires at :05, :15 … :55, not hourly", () => {
    expect(fires("5/10 * * * *", "UTC", "2026-01-01T00:00:00Z", 7).map((t) => t.slice(11, 16))).toEqual([
      "00:05", "00:15", "00:25", "00:35", "00:45", "00:55", "01:05",
    ]);
    expect(parseCron("5/10 * * * *").minutes).toEqual(parseCron("5-59/10 * * * *").minutes);
    // on names too: Monday, Wednesday, Friday and Sunday (7)
    expect([...parseCron("0 0 * * mon/2").weekdays].sort()).toEqual([0, 1, 3, 5]);
  });

  const refused: [string, string][] = [
    ["0 0 * * 5#3", '"5#3" in day-of-week is not classic cron syntax'],
    ["0 0 * * 5L", '"5L" in day-of-week is not classic cron syntax'],
    ["0 0 L * *", '"L" in day-of-month is not classic cron syntax'],
    ["0 0 15W * *", '"15W" in day-of-month is not classic cron syntax'],
    ["0 0 ? * 1", '"?" in day-of-month is not classic cron syntax'],
    ["1.5 * * * *", '"1.5" in minute is not classic cron syntax'],
    ["5x * * * *", '"5x" in minute is not classic cron syntax'],
    ["+5 * * * *", '"+5" in minute is not classic cron syntax'],
    ["-5 * * * *", '"-5" in minute is not classic cron syntax'],
    ["*/5/2 * * * *", '"*/5/2" in minute is not classic cron syntax'],
    ["1-5-7 * * * *", '"1-5-7" in minute is not classic cron syntax'],
    ["0 *-5 * * *", '"*-5" in hour is not classic cron syntax'],
    ["0 0 * * */mon", '"*/mon" in day-of-week is not classic cron syntax'],
    ["3/0 * * * *", '"3/0" in minute has step 0 (a step is 1 or more)'],
    ["*/0 * * * *", '"*/0" in minute has step 0 (a step is 1 or more)'],
    ["0 5-1 * * *", '"5-1" in hour is a reversed range (5 > 1)'],
    ["0 0 * * sat-sun", '"sat-sun" in day-of-week is a reversed range (6 > 0)'],
    ["60 * * * *", '"60" in minute is out of range (0-59)'],
    ["0 0 * * 8", '"8" in day-of-week is out of range (0-7)'],
    ["0 0 0 * *", '"0" in day-of-month is out of range (1-31)'],
    ["0 0 1 1-13 *", '"1-13" in month is out of range (1-12)'],
    ["0 0 * * sunday", '"sunday" in day-of-week is not classic cron syntax (names are sun-sat)'],
    ["mon * * * *", '"mon" in minute is not classic cron syntax'],
    ["1,,2 * * * *", '"1,,2" in minute has an empty list item'],
    ["0 0 * * 1,", '"1," in day-of-week has an empty list item'],
    ["@reboot", '"@reboot" is not a known nickname (@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly)'],
  ];
  test.each(refused)("%p is refused, naming the token and its field", (expr, message) => {
    expect(() => parseCron(expr)).toThrow(new CronError(message));
  });

  test("names in any case, 0 or 7 or sun for Sunday, sun-sat for the whole week", () => {
    expect(parseCron("0 0 * JAN-Mar SUN").months).toEqual(new Set([0, 1, 2]));
    for (const sunday of ["0", "7", "sun", "7-7", "*/7"]) expect([...parseCron(`0 0 * * ${sunday}`).weekdays]).toEqual([0]);
    expect(parseCron("0 0 * * sun-sat").weekdays.size).toBe(7);
    expect(parseCron("0 0 * * 5-7").weekdays).toEqual(new Set([5, 6, 0]));
  });

  test("a step larger than the field keeps only its start, leading zeros are plain numbers", () => {
    expect(parseCron("*/90 * * * *").minutes).toEqual([0]);
    expect(parseCron("07 007 * * *").hours).toEqual([7]);
  });

  test("spaces and tabs separate fields, surrounding whitespace is ignored, other characters belong to a token", () => {
    expect(parseCron(" 0\t0  * * *\n").expr).toBe("0 0 * * *");
    expect(() => parseCron("0 0\u00a0* * * *")).toThrow(new CronError('"0\u00a0*" in hour is not classic cron syntax'));
    expect(() => parseCron("0 0\n* * * *")).toThrow(new CronError('"0\\n*" in hour is not classic cron syntax'));
  });
});

describe("sparse schedules", () => {
  test("Feb 29 on a Sunday: the preview finds as many fire times as asked, decades apart", () => {
    const spec = parseCron("0 0 29 2 */7");
    const p = preview(spec, "UTC", Date.parse("2026-01-01T00:00:00Z"), 5);
    expect(p.next.map(iso)).toEqual([
      "2032-02-29T00:00:00.000Z", "2060-02-29T00:00:00.000Z", "2088-02-29T00:00:00.000Z",
      "2128-02-29T00:00:00.000Z", // 2100 is not a leap year: 40 years apart
      "2156-02-29T00:00:00.000Z",
    ]);
    expect(p.reason).toBeNull();
    const fifty = preview(spec, "Europe/Berlin", Date.parse("2026-01-01T00:00:00Z"), 50);
    expect(fifty.next.length).toBe(50);
    expect(fifty.next.every((t) => new Date(t + 3_600_000).getUTCDay() === 0)).toBe(true);
  });

  test("the never-fires check covers a whole 400-year calendar cycle", () => {
    expect(() => parseCron("0 0 29 2 */7")).not.toThrow();
    expect(() => parseCron("0 0 31 4,6,9,11 *")).toThrow(/never fires/);
  });

  test("a preview that reaches the year 10000 says why it is short", () => {
    const p = preview(parseCron("0 0 29 2 */7"), "UTC", Date.parse("9950-01-01T00:00:00Z"), 5);
    expect(p.next.map(iso)).toEqual(["9976-02-29T00:00:00.000Z"]);
    expect(p.reason).toBe("this schedule fires only once more before the year 10000, where the preview ends");
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
  const notesOf = (expr: string, from: string, n: number, zone = tz) => {
    const spec = parseCron(expr);
    const next = nextFires(spec, zone, Date.parse(from), n);
    return { next: next.map(iso), notes: dstNotes(spec, zone, Date.parse(from), next).map((n) => ({ ...n, at: iso(n.at) })) };
  };
  const notes = (expr: string, from: string, n: number) => {
    const { next, notes } = notesOf(expr, from, n);
    return next.map((t) => notes.find((n) => n.at === t)?.kind ?? null);
  };
  test("a fixed time in the spring gap is marked skipped, one in the autumn repeat repeated", () => {
    expect(notes("30 2 * * *", "2026-03-28T12:00:00Z", 2)).toEqual(["skipped", null]);
    expect(notes("30 2 * * *", "2026-10-24T12:00:00Z", 2)).toEqual(["repeated", null]);
    expect(notesOf("30 2 * * *", "2026-03-28T12:00:00Z", 1).notes[0]!.message).toContain("runs at 03:00");
  });
  test("a real-time schedule notes both passes of the repeated hour and the gap it skips", () => {
    expect(notes("5 * * * *", "2026-10-24T23:30:00Z", 3)).toEqual(["repeated", "repeated", null]);
    expect(notes("*/30 * * * *", "2026-03-29T00:10:00Z", 3)).toEqual([null, "skipped", null]);
  });
  test("an hour-* schedule notes the skipped hour on the next fire time even when none of its times fell in it", () => {
    // 01:30 CET, then 03:30 CEST: 02:30 does not exist, and no listed time is at the gap
    expect(notesOf("30 * * * *", "2026-03-29T00:00:00Z", 3)).toEqual({
      next: ["2026-03-29T00:30:00.000Z", "2026-03-29T01:30:00.000Z", "2026-03-29T02:30:00.000Z"],
      notes: [{
        at: "2026-03-29T01:30:00.000Z",
        kind: "skipped",
        message: "02:00–02:59 does not exist this night (clocks go forward); this schedule follows real time, so it does not fire at 02:30",
      }],
    });
    expect(notesOf("0 */2 * * *", "2026-03-28T23:30:00Z", 2).notes.map((n) => n.message)).toEqual([
      "02:00–02:59 does not exist this night (clocks go forward); this schedule follows real time, so it does not fire at 02:00",
    ]);
  });
  test("an hour-* schedule lists the times it loses in the gap, or counts them", () => {
    expect(notesOf("*/20 * * * *", "2026-03-29T00:30:00Z", 2).notes).toEqual([
      { at: "2026-03-29T01:00:00.000Z", kind: "skipped", message: expect.stringContaining("so it does not fire at 02:00, 02:20 or 02:40") },
    ]);
    expect(notesOf("* * * * *", "2026-03-29T00:58:00Z", 3).notes[0]!.message).toEndWith("so its 60 times in that interval do not fire");
  });
  test("a gap that holds none of the schedule's times gets no note", () => {
    // Lord Howe skips 02:00-02:29 only
    expect(notesOf("45 * * * *", "2026-10-03T14:00:00Z", 3, "Australia/Lord_Howe").notes).toEqual([]);
    expect(notesOf("15 * * * *", "2026-10-03T14:00:00Z", 3, "Australia/Lord_Howe").notes.map((n) => n.message)).toEqual([
      "02:00–02:29 does not exist this night (clocks go forward); this schedule follows real time, so it does not fire at 02:15",
    ]);
  });
  test("ordinary times have no note", () => {
    expect(notes("0 3 * * *", "2026-03-28T12:00:00Z", 3)).toEqual([null, null, null]);
  });
});
