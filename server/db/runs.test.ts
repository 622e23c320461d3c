// The run the store hands back when it queues one is the run it would read back.
import { afterEach, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { sh, step, taskDef, tempDir } from "../../tests/helpers/engine.ts";
import { SqlAuditStore as AuditStore } from "./audit.ts";
import { openDatabase } from "./index.ts";
import { SqlRunStore as RunStore } from "./runs.ts";
import { SqlTaskStore as TaskStore } from "./tasks.ts";

const dir = tempDir();
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test("insertQueued returns exactly what get reads back, and writes `within` in the same transaction", () => {
  const db = openDatabase(join(dir, "lightflow.db"));
  db.query("INSERT INTO pools (name, slots) VALUES ('p', 1)").run();
  const tasks = new TaskStore(db);
  const task = tasks.insert(
    taskDef("t", [step("a", "echo", ["x y", ""], { retries: 2, retry_delay_s: 5, timeout_s: 30 }), sh("b", "exit 3", { run_rule: "always" })], { pool: "p" }),
    1_000,
  );
  const runs = new RunStore(db);
  const audit = new AuditStore(db);
  const queued = runs.insertQueued(task, "schedule", null, 60_000, 2_000, (run) => audit.add("someone", "run.trigger", "t", `run ${run.id}`))!;
  expect(queued).toEqual(runs.get(queued.id)!);
  expect(audit.page(10).map((e) => e.detail)).toEqual([`run ${queued.id}`]);
  // a second run for the same fire time is refused, and its `within` writes nothing
  expect(runs.insertQueued(task, "schedule", null, 60_000, 3_000, () => audit.add(null, "never")) ).toBeNull();
  expect(audit.page(10)).toHaveLength(1);
  // a failure inside `within` takes the run back out
  expect(() => runs.insertQueued(task, "manual", "x", null, 4_000, () => { throw new Error("no"); })).toThrow("no");
  expect(runs.page(task.id, 10).map((r) => r.id)).toEqual([queued.id]);
  db.close();
});
