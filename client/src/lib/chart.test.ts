import { expect, test } from "bun:test";
import { durationScale, tickLabel } from "./chart.ts";

test("the y axis ends on a round step above the longest run, in at most 4 steps", () => {
  expect(durationScale(3_200)).toEqual({ top: 4_000, step: 1_000 });
  expect(durationScale(42_000)).toEqual({ top: 45_000, step: 15_000 });
  expect(durationScale(7 * 60_000)).toEqual({ top: 8 * 60_000, step: 2 * 60_000 });
  expect(durationScale(0)).toEqual({ top: 10, step: 10 });
  for (const max of [1, 999, 61_000, 3_600_000, 40 * 3_600_000, 30 * 24 * 3_600_000]) {
    const { top, step } = durationScale(max);
    expect(top).toBeGreaterThanOrEqual(max);
    expect(top / step).toBeLessThanOrEqual(4);
  }
});

test("tick labels are short", () => {
  expect(tickLabel(0)).toBe("0");
  expect(tickLabel(500)).toBe("500 ms");
  expect(tickLabel(15_000)).toBe("15 s");
  expect(tickLabel(120_000)).toBe("2 min");
  expect(tickLabel(90 * 60_000)).toBe("1 h 30 min");
  expect(tickLabel(2 * 3_600_000)).toBe("2 h");
});
