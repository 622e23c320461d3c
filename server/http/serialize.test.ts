import { expect, test } from "bun:test";
import { iso } from "./serialize.ts";

test("iso writes exactly what Date#toISOString writes, across days, years and odd values", () => {
  const times = [0, 1, 999, 86_399_999, 86_400_000, Date.parse("2026-03-29T01:59:59.999Z"), Date.parse("2028-02-29T23:59:59.999Z"), 253_402_300_799_999];
  let t = Date.parse("2020-01-01T00:00:00Z");
  for (let i = 0; i < 20_000; i++) times.push((t += 1 + Math.floor(Math.random() * 40_000_000)));
  times.push(-1, -86_400_001, 1.5, 253_402_300_800_000); // before 1970, not whole, past 9999: still right
  for (const x of times) expect(iso(x)).toBe(new Date(x).toISOString());
  expect(iso(null)).toBeNull();
});
