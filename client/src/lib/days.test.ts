import { expect, test } from "bun:test";
import { dayStart, nextDay, zoneOffset } from "./days.ts";

test("a day starts at the zone's midnight, in summer and in winter time", () => {
  expect(dayStart("2026-11-01", "Europe/Berlin")).toBe("2026-10-31T23:00:00.000Z");
  expect(dayStart("2026-07-01", "Europe/Berlin")).toBe("2026-06-30T22:00:00.000Z");
  expect(dayStart("2026-03-29", "Europe/Berlin")).toBe("2026-03-28T23:00:00.000Z"); // the day the clocks go forward
  expect(dayStart("2026-11-01", "UTC")).toBe("2026-11-01T00:00:00.000Z");
  expect(dayStart("2026-11-01", "Asia/Kolkata")).toBe("2026-10-31T18:30:00.000Z");
  expect(dayStart("2026-11-01", "America/New_York")).toBe("2026-11-01T04:00:00.000Z");
});

test("anything but a YYYY-MM-DD day is refused", () => {
  expect(dayStart("", "UTC")).toBeNull();
  expect(dayStart("1 Nov 2026", "UTC")).toBeNull();
});

test("the next day crosses months and years", () => {
  expect(nextDay("2026-11-30")).toBe("2026-12-01");
  expect(nextDay("2026-12-31")).toBe("2027-01-01");
  expect(nextDay("2028-02-28")).toBe("2028-02-29");
});

test("the zone offset follows DST", () => {
  expect(zoneOffset(Date.parse("2026-07-01T12:00:00Z"), "Europe/Berlin")).toBe(2 * 3600_000);
  expect(zoneOffset(Date.parse("2026-12-01T12:00:00Z"), "Europe/Berlin")).toBe(3600_000);
});
