// Scheduling and queueing: pools, the global cap, FIFO, no overlap, coalescing,
// DST and catch-up, with an injected clock instead of waiting and a fake
// executor instead of processes: each step ends when the test says so.
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ManualClock } from "./clock.ts";
import { makeEngine, step, taskDef, tempDir, type TestEngine } from "../../tests/helpers/engine.ts";
import { FakeExecutor, finishAtOnce } from "../../tests/helpers/fake-executor.ts";

let te: TestEngine | undefined;
afterEach(async () => {
  await te?.close();
  te = undefined;
});

/** Watches run events and records the order runs started and the most that ran at once. */
function watch(t: TestEngine) {
  const running = new Set<number>();
  const started: string[] = [];
  let most = 0;
  t.engine.bus.on((e) => {
    if (e.type !== "run") return;
    if (e.run.status === "running" && !running.has(e.run.id)) {
      running.add(e.run.id);
      started.push(e.run.task);
      most = Math.max(most, running.size);
    } else if (["success", "failed", "cancelled"].includes(e.run.status)) running.delete(e.run.id);
  });
  return { started, most: () => most };
}

const allDone = (t: TestEngine, runs: { id: number }[]) => Promise.all(runs.map((r) => t.finished(r.id)));
/** A task of one step; what the step does is up to the fake executor. */
const task1 = (name: string, extra: Parameters<typeof taskDef>[2] = {}) => taskDef(name, [step("s", "work")], extra);

describe("concurrency", () => {
  test("a pool of one slot runs two tasks one after the other", async () => {
    const fx = new FakeExecutor();
    te = await makeEngine({}, undefined, undefined, fx);
    te.engine.createPool({ name: "one", slots: 1 });
    const a = te.engine.createTask(task1("a", { pool: "one" }));
    const b = te.engine.createTask(task1("b", { pool: "one" }));
    const w = watch(te);
    const runs = [te.engine.trigger(a, null).run, te.engine.trigger(b, null).run];
    (await fx.started("a")).finish();
    (await fx.started("b")).finish();
    const [ra, rb] = await allDone(te, runs);
    expect(w.most()).toBe(1);
    expect(rb!.started_at!).toBeGreaterThanOrEqual(ra!.ended_at!);
  });

  test("the global cap limits running runs overall", async () => {
    const fx = new FakeExecutor();
    te = await makeEngine({ LIGHTFLOW_GLOBAL_CONCURRENCY: "2" }, undefined, undefined, fx);
    const w = watch(te);
    const runs = ["a", "b", "c", "d"].map((n) => te!.engine.trigger(te!.engine.createTask(task1(n)), null).run);
    await fx.started("b");
    expect(fx.running().map((s) => s.task)).toEqual(["a", "b"]);
    fx.runningStep("a").finish();
    await fx.started("c");
    expect(fx.running().map((s) => s.task)).toEqual(["b", "c"]);
    for (const n of ["b", "c", "d"]) (await fx.started(n)).finish();
    await allDone(te, runs);
    expect(w.most()).toBe(2);
  });

  test("queued runs start in the order they were queued", async () => {
    const fx = new FakeExecutor({ onStart: finishAtOnce });
    te = await makeEngine({}, undefined, undefined, fx);
    te.engine.createPool({ name: "one", slots: 1 });
    const w = watch(te);
    const names = ["first", "second", "third", "fourth"];
    const runs = names.map((n) => te!.engine.trigger(te!.engine.createTask(task1(n, { pool: "one" })), null).run);
    await allDone(te, runs);
    expect(w.started).toEqual(names);
    expect(fx.startedTasks()).toEqual(names);
  });

  test("a full pool does not hold back runs of other pools", async () => {
    const fx = new FakeExecutor();
    te = await makeEngine({}, undefined, undefined, fx);
    te.engine.createPool({ name: "one", slots: 1 });
    const w = watch(te);
    const blocker = te.engine.createTask(task1("blocker", { pool: "one" }));
    const waiting = te.engine.createTask(task1("waiting", { pool: "one" }));
    const free = te.engine.createTask(task1("free"));
    const runs = [te.engine.trigger(blocker, null).run, te.engine.trigger(waiting, null).run, te.engine.trigger(free, null).run];
    const busy = await fx.started("blocker");
    (await fx.started("free")).finish(); // while the blocker still holds the pool
    await te.finished(runs[2]!.id);
    expect(busy.ended).toBe(false);
    expect(w.started).toEqual(["blocker", "free"]);
    busy.finish();
    (await fx.started("waiting")).finish();
    await allDone(te, runs);
    expect(w.started).toEqual(["blocker", "free", "waiting"]);
  });

  test("a manual trigger while the task runs queues one run; more triggers return that run", async () => {
    const fx = new FakeExecutor();
    te = await makeEngine({}, undefined, undefined, fx);
    const task = te.engine.createTask(task1("busy"));
    const first = te.engine.trigger(task, null);
    const running = await fx.started("busy");
    const second = te.engine.trigger(task, null);
    const third = te.engine.trigger(task, null);
    expect(first.created && second.created).toBe(true);
    expect(third.created).toBe(false);
    expect(third.run.id).toBe(second.run.id);
    expect(fx.steps.length).toBe(1); // the task never overlaps itself
    running.finish();
    await te.finished(first.run.id);
    (await fx.startedOf(second.run.id)).finish();
    const [r1, r2] = await allDone(te, [first.run, second.run]);
    expect(r2!.started_at!).toBeGreaterThanOrEqual(r1!.ended_at!);
    expect(te.stores.runs.page(task.id, 10).length).toBe(2);
  });

  test("cancelling a queued run removes it from the queue without running a step", async () => {
    const fx = new FakeExecutor();
    te = await makeEngine({}, undefined, undefined, fx);
    const task = te.engine.createTask(task1("q"));
    const first = te.engine.trigger(task, null).run;
    const queued = te.engine.trigger(task, null).run;
    const cancelled = te.engine.cancel(queued.id);
    expect(typeof cancelled === "object" && cancelled.status).toBe("cancelled");
    (await fx.startedOf(first.id)).finish();
    await te.finished(first.id);
    const after = te.stores.runs.get(queued.id)!;
    expect(after.status).toBe("cancelled");
    expect(after.started_at).toBeNull();
    expect(after.steps.map((s) => s.status)).toEqual(["not_run"]);
    expect(fx.steps.map((s) => s.runId)).toEqual([first.id]);
  });
});

describe("schedules with an injected clock", () => {
  test("a CRON fire while the task already has a queued run is coalesced", async () => {
    const clock = new ManualClock(Date.parse("2026-06-01T10:00:30Z"));
    const fx = new FakeExecutor({ clock });
    te = await makeEngine({}, clock, undefined, fx);
    const task = te.engine.createTask(task1("every", { cron: "* * * * *" }));
    clock.advanceTo(Date.parse("2026-06-01T10:01:00Z")); // run 1 starts, and runs until cancelled
    clock.advanceTo(Date.parse("2026-06-01T10:02:00Z")); // run 2 queued behind it
    clock.advanceTo(Date.parse("2026-06-01T10:03:00Z")); // coalesced
    clock.advanceTo(Date.parse("2026-06-01T10:04:00Z")); // coalesced
    const runs = te.stores.runs.page(task.id, 10);
    expect(runs.map((r) => [r.status, new Date(r.scheduled_for!).toISOString()])).toEqual([
      ["queued", "2026-06-01T10:02:00.000Z"],
      ["running", "2026-06-01T10:01:00.000Z"],
    ]);
    for (const r of runs) te.engine.cancel(r.id);
    await allDone(te, runs);
    expect(fx.steps.map((s) => [s.runId, s.signals])).toEqual([[runs[1]!.id, ["SIGTERM"]]]);
  });

  test("DST in Europe/Berlin: 30 2 * * * fires at 03:00 on the spring night and once on the autumn night", async () => {
    const clock = new ManualClock(Date.parse("2026-03-28T12:00:00Z"));
    te = await makeEngine({ LIGHTFLOW_TIMEZONE: "Europe/Berlin" }, clock, undefined, new FakeExecutor({ onStart: finishAtOnce }));
    const task = te.engine.createTask(task1("nightly", { cron: "30 2 * * *" }));
    const fired: string[] = [];
    te.engine.bus.on((e) => {
      if (e.type === "run" && e.run.status === "queued") fired.push(new Date(e.run.scheduled_for!).toISOString());
    });
    const day = async (iso: string) => {
      clock.advanceTo(Date.parse(iso));
      await allDone(te!, te!.stores.runs.page(task.id, 10));
    };
    await day("2026-03-29T12:00:00Z");
    await day("2026-03-30T12:00:00Z");
    te.engine.patchTask(task.id, { enabled: false });
    clock.advanceTo(Date.parse("2026-10-24T12:00:00Z"));
    te.engine.patchTask(task.id, { enabled: true });
    await day("2026-10-25T12:00:00Z");
    await day("2026-10-26T12:00:00Z");
    expect(fired).toEqual([
      "2026-03-29T01:00:00.000Z", // 03:00 CEST: 02:30 did not exist
      "2026-03-30T00:30:00.000Z",
      "2026-10-25T00:30:00.000Z", // 02:30 CEST, the first of the two 02:30s
      "2026-10-26T01:30:00.000Z",
    ]);
    await allDone(te, te.stores.runs.page(task.id, 10));
  });

  test("DST in Europe/Berlin: */15 fires every quarter hour of real time through the doubled hour", async () => {
    const clock = new ManualClock(Date.parse("2026-10-24T23:50:00Z")); // 01:50 CEST
    te = await makeEngine({ LIGHTFLOW_TIMEZONE: "Europe/Berlin" }, clock, undefined, new FakeExecutor({ onStart: finishAtOnce }));
    const task = te.engine.createTask(task1("quarterly", { cron: "*/15 * * * *" }));
    const fired: number[] = [];
    te.engine.bus.on((e) => {
      if (e.type === "run" && e.run.status === "queued") fired.push(e.run.scheduled_for!);
    });
    // 01:50 CEST to 03:10 CET is 2 h 20 min of real time: 9 quarter hours
    for (let t = clock.now(); t <= Date.parse("2026-10-25T02:10:00Z"); t += 60_000) {
      clock.advanceTo(t);
      await Promise.all(te.stores.runs.page(task.id, 50).map((r) => te!.finished(r.id)));
    }
    expect(fired.length).toBe(9);
    expect(fired.slice(1).map((t, i) => t - fired[i]!)).toEqual(Array(8).fill(15 * 60_000));
  });

  test("after three hours of downtime a catch-up task gets one run and others none", async () => {
    const dir = tempDir();
    const t0 = Date.parse("2026-06-01T10:00:30Z");
    const first = await makeEngine({}, new ManualClock(t0), dir, new FakeExecutor({ onStart: finishAtOnce }));
    first.engine.createTask(task1("catches", { cron: "*/10 * * * *", catchup: true }));
    first.engine.createTask(task1("forgets", { cron: "*/10 * * * *" }));
    await first.engine.shutdown();
    first.stores.close();

    te = await makeEngine({}, new ManualClock(t0 + 3 * 3_600_000), dir, new FakeExecutor({ onStart: finishAtOnce }));
    const catches = te.stores.tasks.find("catches")!;
    const forgets = te.stores.tasks.find("forgets")!;
    const runs = te.stores.runs.page(catches.id, 10);
    expect(runs.length).toBe(1);
    expect(runs[0]!.trigger).toBe("catchup");
    expect(new Date(runs[0]!.scheduled_for!).toISOString()).toBe("2026-06-01T13:00:00.000Z");
    expect(te.stores.runs.page(forgets.id, 10).length).toBe(0);
    await te.finished(runs[0]!.id);
  });

  test("retention deletes runs and logs older than the limit, on the scheduler's own timer", async () => {
    const clock = new ManualClock(Date.parse("2026-06-01T10:00:00Z"));
    te = await makeEngine({ LIGHTFLOW_LOG_RETENTION_DAYS: "2" }, clock, undefined, new FakeExecutor({ onStart: (s) => s.write("hi\n").finish() }));
    const task = te.engine.createTask(task1("old"));
    const run = await te.finished(te.engine.trigger(task, null).run.id);
    const logDir = join(te.dir, "logs", "old", String(run.id));
    expect(existsSync(logDir)).toBe(true);
    expect(clock.pending().length).toBe(1); // only the retention job: nothing else is scheduled
    clock.advanceTo(Date.parse("2026-06-04T10:00:00Z"));
    expect(te.stores.runs.get(run.id)).toBeNull();
    expect(existsSync(logDir)).toBe(false);
  });
});

describe("start deadlines", () => {
  test("a scheduled run still waiting when its start deadline passes raises one late event", async () => {
    const clock = new ManualClock(Date.parse("2026-06-01T10:00:30Z"));
    const fx = new FakeExecutor({ clock });
    te = await makeEngine({}, clock, undefined, fx);
    te.engine.createPool({ name: "one", slots: 1 });
    const blocker = te.engine.createTask(task1("blocker", { pool: "one" }));
    te.engine.createTask(task1("due", { pool: "one", cron: "1 10 * * *", start_deadline_s: 60 }));
    const late: unknown[] = [];
    te.engine.bus.on((e) => e.type === "late" && late.push({ ...e }));
    const busy = te.engine.trigger(blocker, null).run;
    (await fx.started("blocker")).finishAt(Date.parse("2026-06-01T10:02:30Z"));
    clock.advanceTo(Date.parse("2026-06-01T10:01:00Z")); // "due" fires and waits for the pool
    clock.advanceTo(Date.parse("2026-06-01T10:01:59Z"));
    expect(late).toEqual([]);
    clock.advanceTo(Date.parse("2026-06-01T10:02:00Z"));
    expect(late).toEqual([{ type: "late", task: "due", scheduled_for: Date.parse("2026-06-01T10:01:00Z"), run_id: expect.any(Number), reason: "not_started" }]);
    clock.advanceTo(Date.parse("2026-06-01T10:02:30Z")); // the blocker ends: "due" starts, late
    expect((await te.finished(busy.id)).status).toBe("success");
    (await fx.started("due")).finish();
    const dueRun = te.stores.runs.page(te.stores.tasks.find("due")!.id, 1)[0]!;
    await te.finished(dueRun.id);
    expect(late.length).toBe(1);
  });

  test("a run that starts in time raises nothing", async () => {
    const clock = new ManualClock(Date.parse("2026-06-01T10:00:30Z"));
    te = await makeEngine({}, clock, undefined, new FakeExecutor({ onStart: finishAtOnce }));
    const task = te.engine.createTask(task1("quick", { cron: "1 10 * * *", start_deadline_s: 60 }));
    const late: unknown[] = [];
    te.engine.bus.on((e) => e.type === "late" && late.push(e));
    clock.advanceTo(Date.parse("2026-06-01T10:01:00Z"));
    await te.finished(te.stores.runs.page(task.id, 1)[0]!.id);
    clock.advanceTo(Date.parse("2026-06-01T10:05:00Z"));
    expect(late).toEqual([]);
  });
});
