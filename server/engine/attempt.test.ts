// What an attempt's end makes of its step, as a table: the rule of product.md's
// "Exit codes → step status", with Lightflow's own stops and a failed log.
import { expect, test } from "bun:test";
import { attemptStatus, type AttemptEnd } from "./attempt.ts";

const end = (o: Partial<AttemptEnd>): AttemptEnd => ({ reason: null, exitCode: null, interrupt: null, writeError: null, ...o });

test("exit 0 is success, 75 skipped, any other code or a signal failed", () => {
  expect(attemptStatus(end({ exitCode: 0 }))).toEqual({ status: "success", error: null });
  expect(attemptStatus(end({ exitCode: 75 }))).toEqual({ status: "skipped", error: null });
  expect(attemptStatus(end({ exitCode: 1 }))).toEqual({ status: "failed", error: null });
  expect(attemptStatus(end({ exitCode: null }))).toEqual({ status: "failed", error: null }); // killed by a signal
});

test("Lightflow's own stop wins over the exit code", () => {
  expect(attemptStatus(end({ reason: "timed_out", exitCode: 0 }))).toEqual({ status: "timed_out", error: null });
  expect(attemptStatus(end({ reason: "cancelled", exitCode: 143 }))).toEqual({ status: "cancelled", error: null });
  expect(attemptStatus(end({ reason: "interrupted", exitCode: 143, interrupt: "interrupted by server shutdown" }))).toEqual({
    status: "failed",
    error: "interrupted by server shutdown",
  });
});

test("a log that could not be written fails a step that would have passed, with the reason", () => {
  expect(attemptStatus(end({ exitCode: 0, writeError: "no space left on device" }))).toEqual({ status: "failed", error: "no space left on device" });
  expect(attemptStatus(end({ exitCode: 75, writeError: "no space left on device" }))).toEqual({ status: "failed", error: "no space left on device" });
  expect(attemptStatus(end({ reason: "timed_out", writeError: "no space left on device" }))).toEqual({ status: "failed", error: "no space left on device" });
  expect(attemptStatus(end({ exitCode: 2, writeError: "no space left on device" }))).toEqual({ status: "failed", error: null });
});
