import { expect, test } from "bun:test";
import { failingLine } from "./failing.ts";

const lines = (...texts: string[]) => texts.map((plain) => ({ plain }));

test("opens a failed log at the last line that says what went wrong", () => {
  const log = lines("Traceback (most recent call last):", '  File "x.py", line 1', "ZeroDivisionError: division by zero", "");
  expect(failingLine(log)?.plain).toBe("ZeroDivisionError: division by zero");
  expect(failingLine(lines("copying", "rsync: connection refused", "sent 0 bytes"))?.plain).toBe("rsync: connection refused");
});

test("falls back to the last line with text, or nothing", () => {
  expect(failingLine(lines("step one", "step two", "  "))?.plain).toBe("step two");
  expect(failingLine([])).toBeUndefined();
});
