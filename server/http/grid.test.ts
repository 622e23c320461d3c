// The grid keeps finished runs as JSON text; whatever happens to the runs and
// tasks, what it sends must be exactly what reading everything afresh gives.
import { afterEach, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeEngine, sh, step, taskDef, type TestEngine } from "../../tests/helpers/engine.ts";
import { ManualClock } from "../engine/clock.ts";
import type { Engine } from "../engine/index.ts";
import { GridRenderer } from "./grid.ts";
import { runOut, taskOut } from "./serialize.ts";

let te: TestEngine | undefined;
afterEach(async () => te?.close());

/** The grid read from scratch, as the route answered before it kept anything. */
const fresh = ({ engine, stores }: TestEngine, limit: number) =>
  JSON.stringify({
    tasks: stores.tasks.list().map((t) => ({
      ...taskOut(t, engine.nextFireAt(t.id)),
      runs: stores.runs.page(t.id, limit).map((r) => runOut(engine.liveRun(r.id) ?? r)),
    })),
  });

test("what the grid sends is what a fresh read gives, through new runs, renames, retention, live runs and deletes", async () => {
  const clock = new ManualClock(Date.parse("2026-06-01T10:00:00Z"));
  te = await makeEngine({ LIGHTFLOW_LOG_RETENTION_DAYS: "2" }, clock);
  const { engine } = te;
  const grid = new GridRenderer(engine);
  const same = (limit = 2) => {
    const sent = grid.render(limit);
    expect(sent).toBe(fresh(te!, limit));
    return JSON.parse(sent) as { tasks: { name: string; runs: { id: number; task: string; status: string }[] }[] };
  };
  const run = async (task: { id: number }) => {
    const ended = await te!.finished(engine.trigger(te!.stores.tasks.get(task.id)!, null).run.id);
    await Bun.sleep(0); // the engine lets go of the run in the microtasks after its last event
    return ended;
  };

  const a = engine.createTask(taskDef("a", [step("s", "true")]));
  const b = engine.createTask(taskDef("b", [sh("s", "exit 3")]));
  await run(a);
  await run(b);
  expect(same().tasks.map((t) => t.runs.map((r) => r.status))).toEqual([["success"], ["failed"]]);
  expect(same().tasks[0]!.runs).toHaveLength(1); // the second answer comes from what was kept, and is the same

  // a new run, then one more than the limit: the newest two
  const second = await run(a);
  expect(same().tasks[0]!.runs.map((r) => r.id)).toEqual([second.id, second.id - 2]);
  const third = await run(a);
  expect(same().tasks[0]!.runs.map((r) => r.id)).toEqual([third.id, second.id]);
  expect(same(1).tasks[0]!.runs.map((r) => r.id)).toEqual([third.id]); // another limit
  same(); // kept for the limit of 2 again

  // a rename changes the task name inside every run
  expect(engine.liveRun(third.id)).toBeNull();
  engine.replaceTask(a.id, taskDef("renamed", [step("s", "true")]));
  expect(same().tasks.find((t) => t.name === "renamed")!.runs.map((r) => r.task)).toEqual(["renamed", "renamed"]);

  // retention deletes old runs behind the grid's back: no event, no new run
  clock.advanceTo(Date.parse("2026-06-04T10:00:00Z"));
  expect(same().tasks.map((t) => t.runs.length)).toEqual([0, 0]);

  // a live run is shown as it is now, and once ended as it ended
  const waits = engine.createTask(taskDef("waits", [sh("s", 'while [ ! -e go ]; do sleep 0.02; done'), step("t", "true")]));
  const running = te.waitRun((r) => r.task === "waits" && r.steps[0]!.status === "running");
  const live = engine.trigger(waits, null).run;
  await running;
  expect(same().tasks.find((t) => t.name === "waits")!.runs[0]!.status).toBe("running");
  writeFileSync(join(te.dir, "scripts", "go"), "");
  await te.finished(live.id);
  expect(same().tasks.find((t) => t.name === "waits")!.runs[0]!.status).toBe("success");

  // a deleted task is gone; a new one of the same name starts with no runs
  engine.deleteTask(te!.stores.tasks.get(b.id)!);
  engine.createTask(taskDef("b", [step("s", "true")]));
  expect(same().tasks.find((t) => t.name === "b")!.runs).toEqual([]);
});

test("with room for nothing it keeps nothing and still answers right", async () => {
  te = await makeEngine();
  const grid = new GridRenderer(te.engine, 10);
  const task = te.engine.createTask(taskDef("a", [step("s", "true")]));
  await te.finished(te.engine.trigger(task, null).run.id);
  for (let i = 0; i < 2; i++) expect(grid.render(5)).toBe(fresh(te, 5));
});
