// The chain rules on their own (cycles, renames, import order), and a run that
// a crash interrupted: it ends failed at the next start, and queues the tasks
// that follow its failure before new work.
import { afterEach, describe, expect, test } from "bun:test";
import { chainFires, chainProblem, upstreamsFirst } from "./chains.ts";
import { makeEngine, step, taskDef, tempDir, type TestEngine } from "../../tests/helpers/engine.ts";
import { FakeExecutor, finishAtOnce } from "../../tests/helpers/fake-executor.ts";

let te: TestEngine | undefined;
afterEach(async () => {
  await te?.close();
  te = undefined;
});

const node = (name: string, ...after: string[]) => ({ name, after: after.map((task) => ({ task, when: "success" as const })) });

describe("the rules", () => {
  test("a cycle is found however long, and names its path", () => {
    const others = [node("a"), node("b", "a"), node("c", "b")];
    expect(chainProblem(node("a", "c"), others)).toEqual({ field: "after", message: expect.stringContaining("a → c → b → a") });
    expect(chainProblem(node("d", "c", "a"), others)).toBeNull(); // a diamond is no cycle
  });

  test("a renamed task keeps the links others have to it", () => {
    // b runs after a; a becomes a2 and wants to run after b: a cycle through its new name
    expect(chainProblem(node("a2", "b"), [node("a"), node("b", "a")], "a")?.message).toContain("a2 → b → a2");
  });

  test("failed means every end but success; skipped steps leave a run a success", () => {
    expect(["success", "failed", "cancelled"].map((s) => chainFires("failed", s as never))).toEqual([false, true, true]);
    expect(["success", "failed", "cancelled"].map((s) => chainFires("finished", s as never))).toEqual([true, true, true]);
  });

  test("an import writes upstreams first", () => {
    expect(upstreamsFirst([node("c", "b"), node("b", "a"), node("a")]).map((t) => t.name)).toEqual(["a", "b", "c"]);
  });
});

test("a run interrupted by a crash ends failed at the next start and queues the task after its failure", async () => {
  const dir = tempDir();
  const first = await makeEngine({}, undefined, dir, new FakeExecutor());
  const up = first.engine.createTask(taskDef("up", [step("s", "work")]));
  first.engine.createTask(taskDef("pager", [step("s", "work")], { after: [{ task: "up", when: "failed" }] }));
  await first.engine.shutdown();
  // as a kill -9 leaves it: the run marked running, its step too
  const run = first.stores.runs.insertQueued(up, "manual", null, null, Date.now())!;
  first.stores.runs.write(run.id, { started: Date.now(), stepStarting: { position: 1, attempt: 1, at: Date.now(), token: "t" } });
  first.stores.close();

  te = await makeEngine({}, undefined, dir, new FakeExecutor({ onStart: finishAtOnce }));
  expect(te.stores.runs.get(run.id)!.status).toBe("failed");
  const pager = te.stores.tasks.find("pager")!;
  const queued = te.stores.runs.page(pager.id, 5);
  expect(queued.map((r) => [r.trigger, r.triggered_by])).toEqual([["after", `up#${run.id}`]]);
  expect(te.stores.runs.get(queued[0]!.id)!.upstream).toEqual({ task: "up", run_id: run.id, status: "failed" });
  await te.finished(queued[0]!.id);
});
