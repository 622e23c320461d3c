// Framing a followed log: chunk messages cut on whole characters, one shared
// frame for many viewers, and clients too slow to keep up dropped.
import { afterEach, describe, expect, test } from "bun:test";
import { makeEngine, sh, taskDef, type TestEngine } from "../../tests/helpers/engine.ts";
import { liveSteps } from "../engine/logfeed.ts";
import { FileLogStore } from "../engine/logs.ts";
import { logRef } from "../engine/logstore.ts";
import type { StepRun } from "../engine/types.ts";
import { ChunkFrames, CLOSE_TOO_SLOW, followStream, MAX_BUFFERED, SocketViewer, utf8Boundary, type FrameSocket } from "./logframes.ts";

let te: TestEngine | undefined;
afterEach(async () => {
  await te?.close();
  te = undefined;
});

const step = { position: 1, name: "s", status: "success", attempt: 1, exit_code: 0, signal: null, error: null, started_at: null, ended_at: null, log_bytes: 0, retry_at: null } as unknown as StepRun;

function fakeSocket(buffered = 0) {
  const sent: any[] = [];
  const closed: [number, string][] = [];
  const socket: FrameSocket = { send: (t) => void sent.push(JSON.parse(t)), close: (c, r) => void closed.push([c, r]), getBufferedAmount: () => buffered };
  return { socket, sent, closed };
}

describe("WebSocket frames", () => {
  test("utf8Boundary keeps a character split across pieces for the next one", () => {
    const cafe = Buffer.from("café");
    expect(utf8Boundary(cafe)).toBe(cafe.length);
    expect(utf8Boundary(cafe.subarray(0, cafe.length - 1))).toBe(3);
    expect(utf8Boundary(Buffer.from("€").subarray(0, 2))).toBe(0);
    expect(utf8Boundary(new Uint8Array(0))).toBe(0);
  });

  test("a character split between two pieces is sent whole, at the right offsets, and the rest before the end", () => {
    const { socket, sent, closed } = fakeSocket();
    const v = new SocketViewer(socket, new ChunkFrames(), 0, step);
    const bytes = Buffer.from("caf\u00e9 \u20ac");
    v.write(0, bytes.subarray(0, 4)); // "caf" and half of é
    v.write(4, bytes.subarray(4, 8)); // the rest of é, a space, a third of €
    v.end(null);
    expect(sent).toEqual([
      { type: "chunk", offset: 0, data: "caf" },
      { type: "chunk", offset: 3, data: "\u00e9 " },
      { type: "chunk", offset: 6, data: "\ufffd" }, // the log ended inside a character
      { type: "end", step: expect.objectContaining({ position: 1, name: "s", status: "success" }) },
    ]);
    expect(closed).toEqual([[1000, "end of the log"]]);
  });

  test("viewers of the same live piece get one message text, serialized once", () => {
    const frames = new ChunkFrames();
    const piece = Buffer.from("line\n");
    expect(frames.shared(10, piece)).toBe(frames.shared(10, piece));
    expect(frames.shared(10, piece).text).toBe(JSON.stringify({ type: "chunk", offset: 10, data: "line\n" }));
    const texts = [fakeSocket(), fakeSocket()].map(({ socket, sent }) => (new SocketViewer(socket, frames, 10, step).write(10, piece), sent[0]));
    expect(texts[0]).toEqual(texts[1]);
  });

  test("a socket with too much unsent is closed to reconnect, and asks to wait once a quarter is queued", () => {
    const slow = fakeSocket(MAX_BUFFERED + 1);
    new SocketViewer(slow.socket, new ChunkFrames(), 0, step).write(0, Buffer.from("x"));
    expect(slow.sent).toEqual([]);
    expect(slow.closed).toEqual([[CLOSE_TOO_SLOW, "too slow: reconnect from your last offset"]]);
    const busy = fakeSocket(MAX_BUFFERED / 4);
    expect(new SocketViewer(busy.socket, new ChunkFrames(), 0, step).write(0, Buffer.from("x"))).toBe(false);
    expect(new SocketViewer(fakeSocket().socket, new ChunkFrames(), 0, step).write(0, Buffer.from("x"))).toBe(true);
  });
});

test("a follow=1 reader that stops reading is dropped instead of buffering without bound", async () => {
  te = await makeEngine();
  const logs = new FileLogStore(te.dir, liveSteps(te.engine));
  const task = te.engine.createTask(taskDef("flood", [sh("s", "head -c 40000000 /dev/zero")]));
  const started = te.waitRun((r) => r.task === "flood" && r.steps[0]!.status === "running");
  const { run } = te.engine.trigger(task, null);
  await started;
  const live = te.engine.liveRun(run.id)!;
  const stream = followStream(logs, logRef(live, live.steps[0]!), 0); // nobody reads it
  const reader = stream.getReader();
  await te.finished(run.id);
  expect(logs.watcherCount).toBe(0); // it was dropped while the step was still writing
  await expect(reader.read().then(async function drain(r): Promise<unknown> { return r.done ? r : reader.read().then(drain); })).rejects.toThrow("too slow");
});
