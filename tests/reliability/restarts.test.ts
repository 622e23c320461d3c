// Restarts around fire times, with an injected clock and the real database:
// ten restarts inside the fire minute make exactly one scheduled run, and a
// long downtime makes none (or one for catch-up tasks).
import { afterEach, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { openDatabase } from "../../server/db/index.ts";
import { SqlRunStore as RunStore } from "../../server/db/runs.ts";
import { SqlTaskStore as TaskStore } from "../../server/db/tasks.ts";
import { ManualClock } from "../../server/engine/clock.ts";
import { makeEngine, step, taskDef, tempDir, type TestEngine } from "../helpers/engine.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Starts an engine at `at` on `dir`, lets `fn` look at it, then stops it like a server would. */
async function life(dir: string, at: number, fn: (te: TestEngine, clock: ManualClock) => Promise<void> | void = () => {}) {
  const clock = new ManualClock(at);
  const te = await makeEngine({}, clock, dir);
  await fn(te, clock);
  for (const r of te.stores.runs.live()) if (r.status === "running") await te.finished(r.id);
  await te.engine.shutdown();
  te.stores.close();
}

/** Reads the runs straight from the database (starting an engine would catch up again). */
const runsOf = async (dir: string, name: string) => {
  const db = openDatabase(join(dir, "lightflow.db"));
  try {
    return new RunStore(db).page(new TaskStore(db).find(name)!.id, 100);
  } finally {
    db.close();
  }
};

test("ten restarts inside the fire minute produce exactly one scheduled run", async () => {
  const dir = tempDir();
  dirs.push(dir);
  const fire = Date.parse("2026-06-01T03:00:00Z");
  await life(dir, fire - 5_000, (te, clock) => {
    te.engine.createTask(taskDef("nightly", [step("s", "true")], { cron: "0 3 * * *" }));
    te.engine.createTask(taskDef("nightly-catchup", [step("s", "true")], { cron: "0 3 * * *", catchup: true }));
    clock.advanceTo(fire); // both fire once
  });
  for (let i = 1; i <= 10; i++) await life(dir, fire + i * 5_000);
  for (const name of ["nightly", "nightly-catchup"]) {
    const runs = await runsOf(dir, name);
    expect([name, runs.map((r) => [r.trigger, new Date(r.scheduled_for!).toISOString()])]).toEqual([name, [["schedule", "2026-06-01T03:00:00.000Z"]]]);
  }
});

test("a server down at the fire time: a catch-up task gets one run, even across ten restarts", async () => {
  const dir = tempDir();
  dirs.push(dir);
  const fire = Date.parse("2026-06-01T03:00:00Z");
  await life(dir, fire - 60_000, (te) => {
    te.engine.createTask(taskDef("missed", [step("s", "true")], { cron: "0 3 * * *" }));
    te.engine.createTask(taskDef("missed-catchup", [step("s", "true")], { cron: "0 3 * * *", catchup: true }));
  });
  for (let i = 1; i <= 10; i++) await life(dir, fire + i * 3_000);
  expect(await runsOf(dir, "missed")).toEqual([]);
  const caught = await runsOf(dir, "missed-catchup");
  expect(caught.map((r) => [r.trigger, new Date(r.scheduled_for!).toISOString()])).toEqual([["catchup", "2026-06-01T03:00:00.000Z"]]);
});

test("three hours of missed fires: zero runs, or one for a catch-up task", async () => {
  const dir = tempDir();
  dirs.push(dir);
  const t0 = Date.parse("2026-06-01T10:00:30Z");
  await life(dir, t0, (te) => {
    te.engine.createTask(taskDef("often", [step("s", "true")], { cron: "*/5 * * * *" }));
    te.engine.createTask(taskDef("often-catchup", [step("s", "true")], { cron: "*/5 * * * *", catchup: true }));
  });
  await life(dir, t0 + 3 * 3_600_000);
  expect(await runsOf(dir, "often")).toEqual([]);
  expect((await runsOf(dir, "often-catchup")).map((r) => r.trigger)).toEqual(["catchup"]);
});
