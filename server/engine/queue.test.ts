// The queue's rules on their own: FIFO within the limits, pools, the global
// cap, no overlap, pausing; no engine, database or process.
import { describe, expect, test } from "bun:test";
import { RunQueue, type QueuedRun } from "./queue.ts";

/**
 * A queue over fixed task→pool and pool→slots maps, on nodes with their caps
 * (one node "n" by default) and tasks pinned to nodes; records the runs it starts.
 */
function queueOf(o: { cap?: number; pools?: Record<number, string>; slots?: Record<string, number>; nodes?: Record<string, number>; pinned?: Record<number, string> } = {}) {
  const started: number[] = [];
  const on: Record<number, string> = {};
  const nodes = o.nodes ?? { n: o.cap ?? 100 };
  const q = new RunQueue({
    poolOf: (taskId) => o.pools?.[taskId] ?? null,
    slotsOf: (pool) => o.slots?.[pool] ?? 1,
    place: (taskId, load) => Object.keys(nodes).find((n) => (!o.pinned?.[taskId] || o.pinned[taskId] === n) && load(n) < nodes[n]!) ?? null,
    room: (load) => Object.entries(nodes).some(([n, cap]) => load(n) < cap),
    start: (r: QueuedRun, node) => {
      started.push(r.runId);
      on[r.runId] = node;
    },
  });
  q.resume();
  return { q, started, on };
}

describe("RunQueue", () => {
  test("runs start in the order they were queued as slots free up", () => {
    const { q, started } = queueOf({ pools: { 1: "p", 2: "p", 3: "p" }, slots: { p: 1 } });
    q.enqueue({ runId: 10, taskId: 1 });
    q.enqueue({ runId: 20, taskId: 2 });
    q.enqueue({ runId: 30, taskId: 3 });
    expect(started).toEqual([10]);
    q.finished(10);
    expect(started).toEqual([10, 20]);
    q.finished(20);
    expect(started).toEqual([10, 20, 30]);
  });

  test("a pool runs as many runs at once as it has slots", () => {
    const { q, started } = queueOf({ pools: { 1: "p", 2: "p", 3: "p" }, slots: { p: 2 } });
    for (const t of [1, 2, 3]) q.enqueue({ runId: t * 10, taskId: t });
    expect(started).toEqual([10, 20]);
    expect(q.poolCounts("p")).toEqual({ running: 2, queued: 1 });
  });

  test("a full pool does not hold back a later run of another pool or of none", () => {
    const { q, started } = queueOf({ pools: { 1: "full", 2: "full", 3: "other" }, slots: { full: 1, other: 1 } });
    q.enqueue({ runId: 10, taskId: 1 });
    q.enqueue({ runId: 20, taskId: 2 }); // waits for "full"
    q.enqueue({ runId: 30, taskId: 3 });
    q.enqueue({ runId: 40, taskId: 4 }); // no pool
    expect(started).toEqual([10, 30, 40]);
  });

  test("the global cap limits running runs across pools", () => {
    const { q, started } = queueOf({ cap: 2 });
    for (const t of [1, 2, 3, 4]) q.enqueue({ runId: t * 10, taskId: t });
    expect(started).toEqual([10, 20]);
    q.finished(20);
    expect(started).toEqual([10, 20, 30]);
  });

  test("a task never runs twice at once; its next run waits without holding back others", () => {
    const { q, started } = queueOf();
    q.enqueue({ runId: 10, taskId: 1 });
    q.enqueue({ runId: 11, taskId: 1 });
    q.enqueue({ runId: 20, taskId: 2 });
    expect(started).toEqual([10, 20]);
    q.finished(10);
    expect(started).toEqual([10, 20, 11]);
  });

  test("a removed run never starts; a paused queue starts nothing until resumed", () => {
    const { q, started } = queueOf({ pools: { 1: "p", 2: "p", 3: "p" }, slots: { p: 1 } });
    q.enqueue({ runId: 10, taskId: 1 });
    q.enqueue({ runId: 20, taskId: 2 });
    q.enqueue({ runId: 30, taskId: 3 });
    expect(q.remove(20)).toBe(true);
    expect(q.remove(20)).toBe(false);
    q.pause();
    q.finished(10);
    expect(started).toEqual([10]);
    q.resume();
    expect(started).toEqual([10, 30]);
  });

  test("each node takes runs up to its own cap; a pinned run waits for its node without holding back others", () => {
    const { q, started, on } = queueOf({ nodes: { a: 1, b: 2 }, pinned: { 1: "a", 2: "a" } });
    for (const t of [1, 2, 3, 4]) q.enqueue({ runId: t * 10, taskId: t });
    expect(started).toEqual([10, 30, 40]);
    expect([on[10], on[30], on[40]]).toEqual(["a", "b", "b"]);
    q.finished(30); // room on b: run 20 is pinned to a, which is still full
    expect(started).toEqual([10, 30, 40]);
    q.finished(10);
    expect(started).toEqual([10, 30, 40, 20]);
    expect(on[20]).toBe("a");
  });

  test("a run held by another node (a new leader's view) keeps its pool slot and its task until it ends", () => {
    const { q, started } = queueOf({ pools: { 1: "p", 2: "p" }, slots: { p: 1 }, nodes: { a: 4, b: 4 } });
    q.holding(5, 1, "p", "b");
    q.enqueue({ runId: 10, taskId: 1 });
    q.enqueue({ runId: 20, taskId: 2 });
    expect(started).toEqual([]);
    q.finished(5);
    expect(started).toEqual([10]);
  });
});
