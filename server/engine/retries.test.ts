// Retries: a failed or timed-out step is tried again after its delay, each
// attempt keeps its own log, and the run fails only after the last attempt.
import { afterEach, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { makeEngine, sh, step, taskDef, type TestEngine } from "../../tests/helpers/engine.ts";
import { liveSteps } from "./logfeed.ts";
import { FileLogStore } from "./logs.ts";
import { logRef } from "./logstore.ts";
import type { Run } from "./types.ts";

let te: TestEngine;
afterEach(async () => te?.close());

const logOf = (run: Run, attempt: number) => readFileSync(new FileLogStore(te.dir).path(logRef(run, run.steps[0]!, attempt)), "utf8");
/** a step that fails until it has been tried `n` times */
const flaky = (n: number) => `c=$(cat "$LIGHTFLOW_DATA_DIR/count" 2>/dev/null || echo 0); c=$((c+1)); echo $c > "$LIGHTFLOW_DATA_DIR/count"; echo "try $c"; [ $c -ge ${n} ]`;

test("a step that fails twice and then succeeds ends success on its third attempt, each attempt with its own log", async () => {
  te = await makeEngine();
  const task = te.engine.createTask(taskDef("flaky", [sh("s", flaky(3), { retries: 2, retry_delay_s: 0 })]));
  const failedEvents: number[] = [];
  te.engine.bus.on((e) => e.type === "run" && e.run.status === "failed" && failedEvents.push(e.run.id));
  const run = await te.finished(te.engine.trigger(task, null).run.id);
  expect(run.status).toBe("success");
  expect(run.steps[0]).toMatchObject({ status: "success", attempt: 3, exit_code: 0 });
  expect(logOf(run, 1)).toBe("try 1\n[lightflow] attempt 1 of 3 failed; trying again in 0 s\n");
  expect(logOf(run, 2)).toStartWith("try 2\n");
  expect(logOf(run, 3)).toBe("try 3\n");
  expect(failedEvents).toEqual([]);
});

test("when the retries run out the step and the run fail once, after the last attempt", async () => {
  te = await makeEngine();
  const task = te.engine.createTask(taskDef("hopeless", [sh("s", flaky(99), { retries: 2, retry_delay_s: 0 }), step("cleanup", "true", [], { run_rule: "always" })]));
  const failed: Run[] = [];
  te.engine.bus.on((e) => e.type === "run" && e.run.status === "failed" && failed.push(structuredClone(e.run)));
  const run = await te.finished(te.engine.trigger(task, null).run.id);
  expect(run.steps.map((s) => [s.status, s.attempt])).toEqual([["failed", 3], ["success", 1]]);
  expect(failed.length).toBe(1);
  expect(failed[0]!.steps[0]!.attempt).toBe(3);
  expect(existsSync(new FileLogStore(te.dir).path({ task: "hopeless", runId: run.id, position: 1, step: "s", attempt: 4 }))).toBe(false);
});

test("a timed-out attempt is retried; a skipped step (exit 75) is not", async () => {
  te = await makeEngine();
  const slow = te.engine.createTask(taskDef("slowfirst", [sh("s", `${flaky(2)} || sleep 30`, { retries: 1, retry_delay_s: 0, timeout_s: 1 })]));
  const a = await te.finished(te.engine.trigger(slow, null).run.id);
  expect(a.steps[0]).toMatchObject({ status: "success", attempt: 2 });
  const skip = te.engine.createTask(taskDef("skipper", [sh("s", "exit 75", { retries: 3, retry_delay_s: 0 })]));
  const b = await te.finished(te.engine.trigger(skip, null).run.id);
  expect(b.steps[0]).toMatchObject({ status: "skipped", attempt: 1 });
});

test("a cancel during the wait between attempts ends the step at once, and always steps still run", async () => {
  te = await makeEngine();
  const task = te.engine.createTask(taskDef("waiting", [sh("s", "exit 1", { retries: 3, retry_delay_s: 3600 }), step("cleanup", "true", [], { run_rule: "always" })]));
  const waiting = te.waitRun((r) => r.task === "waiting" && r.steps[0]!.exit_code === 1 && r.steps[0]!.status === "running");
  const { run } = te.engine.trigger(task, null);
  await waiting;
  te.engine.cancel(run.id);
  const done = await te.finished(run.id);
  expect(done.status).toBe("cancelled");
  expect(done.steps.map((s) => [s.status, s.attempt])).toEqual([["cancelled", 1], ["success", 1]]);
});

test("while a step waits to retry it says when, and a viewer joining then gets the attempt's end", async () => {
  te = await makeEngine();
  const logs = new FileLogStore(te.dir, liveSteps(te.engine));
  const task = te.engine.createTask(taskDef("later", [sh("s", `${flaky(2)}`, { retries: 1, retry_delay_s: 1 })]));
  const waiting = te.waitRun((r) => r.task === "later" && r.steps[0]!.retry_at != null);
  const secondRunning = te.waitRun((r) => r.task === "later" && r.steps[0]!.attempt === 2 && r.steps[0]!.status === "running");
  const { run } = te.engine.trigger(task, null);
  const w = await waiting;
  expect(w.steps[0]).toMatchObject({ status: "running", attempt: 1, exit_code: 1 });
  const live = te.engine.liveRun(run.id)!;
  let text = "";
  await new Promise<void>((resolve) =>
    logs.follow(logRef(live, live.steps[0]!, 1), 0, { write: (_o, d) => ((text += Buffer.from(d).toString()), true), end: () => resolve(), drained: async () => {} }),
  );
  expect(text).toStartWith("try 1\n");
  const second = await secondRunning;
  expect(second.steps[0]).toMatchObject({ exit_code: null, signal: null, error: null, retry_at: null });
  await te.finished(run.id);
});
