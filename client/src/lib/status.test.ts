import { expect, test } from "bun:test";
import { attemptText, isStale, ordinal } from "./status.ts";
import type { Run, RunStatus, StepStatus } from "../types.ts";

const run = (status: RunStatus, ...steps: StepStatus[]): Run => ({
  id: 1,
  task: "t",
  status,
  trigger: "manual",
  triggered_by: null,
  scheduled_for: null,
  queued_at: "2026-11-23T00:00:00.000Z",
  started_at: null,
  ended_at: null,
  params: {},
  retry_of: null,
  node: null,
  steps: steps.map((s, i) => ({ position: i + 1, name: `s${i}`, status: s, attempt: 1, retries: 0, retry_at: null, exit_code: null, signal: null, error: null, started_at: null, ended_at: null, log_bytes: 0, done_in: null })),
});

test("an answer older than the live state held is stale", () => {
  // Run now answers "queued" after the live event said "running"
  expect(isStale(run("queued", "pending", "pending"), run("running", "running", "pending"))).toBe(true);
  // Cancel answers "running" after the live event said "cancelled"
  expect(isStale(run("running", "running"), run("cancelled", "cancelled"))).toBe(true);
});

test("the same or a later state is taken", () => {
  expect(isStale(run("running", "success", "running"), run("running", "running", "pending"))).toBe(false);
  expect(isStale(run("failed", "failed", "not_run"), run("failed", "failed", "not_run"))).toBe(false);
});

test("a later attempt of a running step is newer, though the step runs in both", () => {
  const first = run("running", "running");
  const second = run("running", "running");
  second.steps[0].attempt = 2;
  expect(isStale(first, second)).toBe(true);
  expect(isStale(second, first)).toBe(false);
});

test("a step tried again says which attempt of how many", () => {
  const r = run("success", "success");
  const step = { ...r.steps[0], attempt: 3, retries: 3 };
  expect(attemptText(step)).toBe("3rd attempt of 4");
  expect(attemptText({ ...step, attempt: 1 })).toBe("");
  // retries lowered since: never "of 2" for a third attempt
  expect(attemptText({ ...step, retries: 1 })).toBe("3rd attempt of 3");
  expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 101].map(ordinal)).toEqual(["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st"]);
});
