// Log followers share one watcher per step, and a follower that does not read is dropped.
import { afterEach, expect, test } from "bun:test";
import { makeEngine, sh, taskDef, type TestEngine } from "../../tests/helpers/engine.ts";
import { LogFeeds } from "./logfeed.ts";
import { followStream } from "./runs.ts";

let te: TestEngine;
afterEach(async () => te?.close());

test("a hundred followers of one step share one watcher and all get the whole log", async () => {
  te = await makeEngine();
  const feeds = new LogFeeds(te.engine);
  const task = te.engine.createTask(taskDef("many", [sh("s", "for i in $(seq 1 50); do echo line $i; sleep 0.01; done")]));
  const started = te.waitRun((r) => r.task === "many" && r.steps[0]!.status === "running");
  const { run } = te.engine.trigger(task, null);
  await started;
  const live = te.engine.liveRun(run.id)!;
  const texts = Array.from({ length: 100 }, () => "");
  const ended = texts.map(
    (_, i) =>
      new Promise<void>((resolve) =>
        feeds.follow(live, live.steps[0]!, 0, {
          write: (_offset, data) => ((texts[i] += Buffer.from(data).toString()), true),
          end: () => resolve(),
          drained: async () => {},
        }),
      ),
  );
  expect(feeds.watcherCount).toBe(1);
  await Promise.all(ended);
  const expected = Array.from({ length: 50 }, (_, i) => `line ${i + 1}\n`).join("");
  expect(new Set(texts)).toEqual(new Set([expected]));
  expect(feeds.watcherCount).toBe(0);
});

test("a follow=1 reader that stops reading is dropped instead of buffering without bound", async () => {
  te = await makeEngine();
  const feeds = new LogFeeds(te.engine);
  const task = te.engine.createTask(taskDef("flood", [sh("s", "head -c 40000000 /dev/zero")]));
  const started = te.waitRun((r) => r.task === "flood" && r.steps[0]!.status === "running");
  const { run } = te.engine.trigger(task, null);
  await started;
  const live = te.engine.liveRun(run.id)!;
  const stream = followStream(feeds, live, live.steps[0]!, 0); // nobody reads it
  const reader = stream.getReader();
  await te.finished(run.id);
  expect(feeds.watcherCount).toBe(0); // it was dropped while the step was still writing
  await expect(reader.read().then(async function drain(r): Promise<unknown> { return r.done ? r : reader.read().then(drain); })).rejects.toThrow("too slow");
});
