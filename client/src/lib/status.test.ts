import { expect, test } from "bun:test";
import { isStale } from "./status.ts";
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
  steps: steps.map((s, i) => ({ position: i + 1, name: `s${i}`, status: s, exit_code: null, signal: null, error: null, started_at: null, ended_at: null, log_bytes: 0 })),
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
