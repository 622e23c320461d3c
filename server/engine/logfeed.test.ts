// Log followers share one watcher per step.
import { afterEach, expect, test } from "bun:test";
import { makeEngine, sh, taskDef, type TestEngine } from "../../tests/helpers/engine.ts";
import { liveSteps } from "./logfeed.ts";
import { FileLogStore } from "./logs.ts";
import { logRef } from "./logstore.ts";

let te: TestEngine;
afterEach(async () => te?.close());

test("a hundred followers of one step share one watcher and all get the whole log", async () => {
  te = await makeEngine();
  const logs = new FileLogStore(te.dir, liveSteps(te.engine));
  const task = te.engine.createTask(taskDef("many", [sh("s", "for i in $(seq 1 50); do echo line $i; sleep 0.01; done")]));
  const started = te.waitRun((r) => r.task === "many" && r.steps[0]!.status === "running");
  const { run } = te.engine.trigger(task, null);
  await started;
  const live = te.engine.liveRun(run.id)!;
  const texts = Array.from({ length: 100 }, () => "");
  const ended = texts.map(
    (_, i) =>
      new Promise<void>((resolve) =>
        logs.follow(logRef(live, live.steps[0]!), 0, {
          write: (_offset, data) => ((texts[i] += Buffer.from(data).toString()), true),
          end: () => resolve(),
          drained: async () => {},
        }),
      ),
  );
  expect(logs.watcherCount).toBe(1);
  await Promise.all(ended);
  const expected = Array.from({ length: 50 }, (_, i) => `line ${i + 1}\n`).join("");
  expect(new Set(texts)).toEqual(new Set([expected]));
  expect(logs.watcherCount).toBe(0);
});
