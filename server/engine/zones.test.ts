// A time zone per task in the scheduler and catch-up: tasks in Pacific/Chatham
// and America/Santiago fire at their own wall-clock times, through their DST
// changes, on a server in UTC. An injected clock instead of waiting.
import { afterEach, describe, expect, test } from "bun:test";
import { ManualClock } from "./clock.ts";
import { makeEngine, step, taskDef, tempDir, type TestEngine } from "../../tests/helpers/engine.ts";
import { FakeExecutor, finishAtOnce } from "../../tests/helpers/fake-executor.ts";

let te: TestEngine | undefined;
afterEach(async () => {
  await te?.close();
  te = undefined;
});

const task1 = (name: string, extra: Parameters<typeof taskDef>[2] = {}) => taskDef(name, [step("s", "work")], extra);
const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

describe("schedules in the task's own zone", () => {
  test("Chatham and Santiago tasks fire at their wall-clock times through spring, next to a UTC task", async () => {
    const clock = new ManualClock(Date.parse("2026-09-04T00:00:00Z"));
    te = await makeEngine({ LIGHTFLOW_TIMEZONE: "UTC" }, clock, undefined, new FakeExecutor({ onStart: finishAtOnce }));
    const fired = new Map<string, string[]>();
    te.engine.bus.on((e) => {
      if (e.type === "run" && e.run.status === "queued") fired.set(e.run.task, [...(fired.get(e.run.task) ?? []), iso(e.run.scheduled_for)!]);
    });
    const santiago = te.engine.createTask(task1("santiago", { cron: "30 0 * * *", timezone: "America/Santiago" }));
    te.engine.createTask(task1("utc", { cron: "30 0 * * *" }));
    expect(iso(te.engine.nextFireAt(santiago.id))).toBe("2026-09-04T04:30:00.000Z");
    for (let day = 4; day <= 7; day++) {
      clock.advanceTo(Date.parse(`2026-09-0${day}T12:00:00Z`));
      await Promise.all(te.engine.listTasks().flatMap((t) => te!.stores.runs.page(t.id, 10)).map((r) => te!.finished(r.id)));
    }
    expect(fired.get("santiago")).toEqual(["2026-09-04T04:30:00.000Z", "2026-09-05T04:30:00.000Z", "2026-09-06T04:00:00.000Z", "2026-09-07T03:30:00.000Z"]);
    expect(fired.get("utc")).toEqual(["2026-09-04T00:30:00.000Z", "2026-09-05T00:30:00.000Z", "2026-09-06T00:30:00.000Z", "2026-09-07T00:30:00.000Z"]);

    clock.advanceTo(Date.parse("2026-09-24T00:00:00Z"));
    const chatham = te.engine.createTask(task1("chatham", { cron: "0 3 * * *", timezone: "Pacific/Chatham" }));
    for (let day = 24; day <= 27; day++) {
      clock.advanceTo(Date.parse(`2026-09-${day}T20:00:00Z`));
      await Promise.all(te.stores.runs.page(chatham.id, 10).map((r) => te!.finished(r.id)));
    }
    expect(fired.get("chatham")).toEqual(["2026-09-24T14:15:00.000Z", "2026-09-25T14:15:00.000Z", "2026-09-26T14:00:00.000Z", "2026-09-27T13:15:00.000Z"]);
  });

  test("catch-up after downtime counts the missed fire in the task's zone", async () => {
    const dir = tempDir();
    const first = await makeEngine({}, new ManualClock(Date.parse("2026-04-04T00:00:00Z")), dir, new FakeExecutor({ onStart: finishAtOnce }));
    first.engine.createTask(task1("late-santiago", { cron: "30 23 * * *", timezone: "America/Santiago", catchup: true }));
    await first.engine.shutdown();
    first.stores.close();
    // down until 03:00 UTC on 5 April: 23:30 in Santiago on 4 April (-03) was 02:30 UTC, in UTC it was 23:30 the day before
    te = await makeEngine({}, new ManualClock(Date.parse("2026-04-05T03:00:00Z")), dir, new FakeExecutor({ onStart: finishAtOnce }));
    const task = te.stores.tasks.find("late-santiago")!;
    const runs = te.stores.runs.page(task.id, 10);
    expect(runs.map((r) => [r.trigger, iso(r.scheduled_for)])).toEqual([["catchup", "2026-04-05T02:30:00.000Z"]]);
    expect(iso(te.engine.nextFireAt(task.id))).toBe("2026-04-06T03:30:00.000Z"); // 23:30 -04 after the change
    await te.finished(runs[0]!.id);
  });
});
