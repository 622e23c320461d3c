import { expect, test } from "bun:test";
import { describeCron } from "./cronText.ts";

test("describes common schedules in plain words", () => {
  expect(describeCron("0 3 * * *")).toBe("At 03:00, every day");
  expect(describeCron("*/15 * * * *")).toBe("Every 15 minutes");
  expect(describeCron("5 * * * *")).toBe("At minute 5 past every hour");
  expect(describeCron("0 1,13 * * *")).toBe("At 01:00 and 13:00, every day");
  expect(describeCron("30 2 * * mon-fri")).toBe("At 02:30, on Monday through Friday");
  expect(describeCron("0 0 * * 7")).toBe("At 00:00, on Sunday");
});

test("says EITHER when both day fields are restricted, as classic cron does", () => {
  expect(describeCron("0 0 1,15 * 1")).toBe("At 00:00, on days 1 and 15 of the month or on Monday");
});

test("gives null for what it cannot read", () => {
  expect(describeCron("")).toBeNull();
  expect(describeCron("* * * *")).toBeNull();
  expect(describeCron("0 0 32 * *")).toBeNull();
});
