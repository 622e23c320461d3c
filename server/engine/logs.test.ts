// The file log store: where each attempt's log lives, and reading it back by
// size, range, tail, last lines and follow, without an engine.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventBus } from "./events.ts";
import { FileLogStore } from "./logs.ts";
import type { LogRef, LogSink } from "./logstore.ts";
import type { StepRun } from "./types.ts";

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "lightflow-logs-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const ref = (extra: Partial<LogRef> = {}): LogRef => ({ task: "nightly", runId: 7, position: 2, step: "build", attempt: 1, ...extra });

function write(store: FileLogStore, r: LogRef, text: string, secrets: string[] = []): void {
  const w = store.writer(r, { maxBytes: 1024 * 1024, secrets });
  w.write(Buffer.from(text));
  w.close();
}

const stepAs = (over: Partial<StepRun>): StepRun => ({ position: 2, name: "build", status: "success", attempt: 1, retry_at: null, ...over }) as StepRun;

/** A sink that collects what it is sent. */
function collector() {
  const got = { text: "", offsets: [] as number[], ended: undefined as StepRun | null | undefined };
  let ended!: () => void;
  const done = new Promise<void>((r) => (ended = r));
  const sink: LogSink = {
    write: (offset, data) => {
      got.offsets.push(offset);
      got.text += Buffer.from(data).toString();
      return true;
    },
    end: (step) => {
      got.ended = step;
      ended();
    },
    drained: async () => {},
  };
  return { got, sink, done };
}

describe("layout", () => {
  test("the first attempt is <data>/logs/<task>/<run>/<pos>-<step>.log, a retry adds its number", () => {
    const store = new FileLogStore(dir);
    expect(store.path(ref())).toBe(join(dir, "logs", "nightly", "7", "2-build.log"));
    expect(store.path(ref({ attempt: 3 }))).toBe(join(dir, "logs", "nightly", "7", "2-build.3.log"));
    expect(store.runDir("nightly", 7)).toBe(join(dir, "logs", "nightly", "7"));
  });

  test("the writer makes the file on its first byte, private to the service's user, and masks secrets", () => {
    const store = new FileLogStore(dir);
    const w = store.writer(ref(), { maxBytes: 1024, secrets: ["hunter22"] });
    expect(existsSync(store.runDir("nightly", 7))).toBe(false);
    w.write(Buffer.from("pw=hunter22\n"));
    expect(w.close()).toBe("pw=***\n".length);
    expect(readFileSync(store.path(ref()), "utf8")).toBe("pw=***\n");
    expect(statSync(store.path(ref())).mode & 0o777).toBe(0o600);
    expect(statSync(store.runDir("nightly", 7)).mode & 0o777).toBe(0o700);
  });

  test("a run's logs go with the run, a task's with the task, and a rename moves them", () => {
    const store = new FileLogStore(dir);
    write(store, ref(), "a\n");
    write(store, ref({ runId: 8 }), "b\n");
    store.removeRun("nightly", 7);
    expect(existsSync(store.runDir("nightly", 7))).toBe(false);
    expect(existsSync(store.path(ref({ runId: 8 })))).toBe(true);
    store.renameTask("nightly", "daily");
    expect(readFileSync(store.path(ref({ task: "daily", runId: 8 })), "utf8")).toBe("b\n");
    store.renameTask("never-ran", "still-never"); // no logs: nothing to move, no error
    store.removeTask("daily");
    expect(existsSync(join(dir, "logs", "daily"))).toBe(false);
  });
});

describe("reading", () => {
  test("a log never written has size 0 and empty tail and lines", async () => {
    const store = new FileLogStore(dir);
    expect(await store.size(ref())).toBe(0);
    expect((await store.tail(ref(), 100)).length).toBe(0);
    expect(await store.lastLines(ref(), 20)).toEqual([]);
  });

  test("size, a byte range, and a tail longer or shorter than the log", async () => {
    const store = new FileLogStore(dir);
    write(store, ref(), "0123456789");
    expect(await store.size(ref())).toBe(10);
    expect(await new Response(store.read(ref(), 2, 5)).text()).toBe("234");
    expect(await new Response(store.read(ref(), 0, 10)).text()).toBe("0123456789");
    expect(Buffer.from(await store.tail(ref(), 3)).toString()).toBe("789");
    expect(Buffer.from(await store.tail(ref(), 50)).toString()).toBe("0123456789");
    expect(await store.size(ref({ attempt: 2 }))).toBe(0); // each attempt is its own log
  });

  test("the last lines ignore the final newline and look only at the last 64 KiB", async () => {
    const store = new FileLogStore(dir);
    write(store, ref(), Array.from({ length: 30 }, (_, i) => `line ${i + 1}\n`).join(""));
    expect(await store.lastLines(ref(), 3)).toEqual(["line 28", "line 29", "line 30"]);
    write(store, ref({ step: "huge" }), `first\n${"x".repeat(70_000)}\nlast\n`);
    const lines = await store.lastLines(ref({ step: "huge" }), 20);
    expect(lines.at(-1)).toBe("last");
    expect(lines).not.toContain("first");
  });
});

describe("following", () => {
  test("from an offset of a finished step: the rest of the log, then the end with the step as stored", async () => {
    const finished = stepAs({ status: "success" });
    const store = new FileLogStore(dir, { bus: new EventBus(), stepOf: () => finished });
    write(store, ref(), "hello world\n");
    const { got, sink, done } = collector();
    store.follow(ref(), 6, sink);
    await done;
    expect(got.text).toBe("world\n");
    expect(got.offsets[0]).toBe(6);
    expect(got.ended).toBe(finished);
    expect(store.watcherCount).toBe(0);
  });

  test("a running step: the file first, then the live pieces from the bus, then its end", async () => {
    const bus = new EventBus();
    let now = stepAs({ status: "running" });
    const store = new FileLogStore(dir, { bus, stepOf: () => now });
    const w = store.writer(ref(), { maxBytes: 1024, secrets: [], onWrite: (offset, data) => bus.emitLog(7, 2, { offset, data, attempt: 1 }) });
    w.write(Buffer.from("one\n"));
    const { got, sink, done } = collector();
    store.follow(ref(), 0, sink);
    expect(store.watcherCount).toBe(1);
    await Bun.sleep(5);
    w.write(Buffer.from("two\n"));
    bus.emitLog(7, 2, { offset: 0, data: Buffer.from("other attempt\n"), attempt: 2 }); // not this attempt's
    w.close();
    now = stepAs({ status: "success" });
    bus.emitLogEnd(7, 2, now, 1);
    await done;
    expect(got.text).toBe("one\ntwo\n");
    expect(got.ended).toBe(now);
    expect(store.watcherCount).toBe(0);
  });

  test("a run that is gone ends the follow with no step", async () => {
    const store = new FileLogStore(dir, { bus: new EventBus(), stepOf: () => null });
    const { got, sink, done } = collector();
    store.follow(ref(), 0, sink);
    await done;
    expect(got.ended).toBeNull();
  });

  test("a store made to read and write only cannot follow", () => {
    expect(() => new FileLogStore(dir).follow(ref(), 0, collector().sink)).toThrow("cannot follow");
  });
});
