// Parameters of runs nobody triggered by hand: a scheduled run takes every
// parameter's default.
import { afterEach, expect, test } from "bun:test";
import { ManualClock } from "./clock.ts";
import { makeEngine, step, taskDef, type TestEngine } from "../../tests/helpers/engine.ts";
import { FakeExecutor, finishAtOnce } from "../../tests/helpers/fake-executor.ts";
import { defaultParams, resolveParams } from "./params.ts";

let te: TestEngine | undefined;
afterEach(async () => {
  await te?.close();
  te = undefined;
});

test("a scheduled run has every parameter at its default", async () => {
  const clock = new ManualClock(Date.parse("2026-06-01T10:00:30Z"));
  te = await makeEngine({}, clock, undefined, new FakeExecutor({ onStart: finishAtOnce }));
  const params = [{ name: "DAYS", default: "7" }, { name: "MODE", default: "full", choices: ["fast", "full"] }];
  te.engine.createTask(taskDef("nightly", [step("s", "true")], { cron: "* * * * *", params }));
  const queued = te.waitRun((r) => r.status === "queued");
  clock.advanceTo(Date.parse("2026-06-01T10:01:00Z"));
  const run = await queued;
  expect(run.trigger).toBe("schedule");
  expect(run.params).toEqual({ DAYS: "7", MODE: "full" });
  expect(te.stores.runs.get(run.id)!.params).toEqual({ DAYS: "7", MODE: "full" });
});

test("a trigger's values are completed with the defaults, in the order declared", () => {
  const defs = [{ name: "A", default: "1" }, { name: "B" }, { name: "C", default: "3" }];
  expect(defaultParams(defs)).toEqual({ A: "1", C: "3" });
  expect(resolveParams(defs, { B: "2", A: "0" }, new Set())).toEqual({ ok: true, values: { A: "0", B: "2", C: "3" } });
  expect(resolveParams(defs, { B: "" }, new Set(["C"]))).toMatchObject({ ok: false, field: "params.C" });
});
