// Live state over WebSocket against the real server: run and task events, and
// step logs followed from an offset with no gap and no duplicate.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { runEnded, startApi, watchSocket, type Api } from "./helpers/api.ts";
import { assemble } from "./helpers/logsocket.ts";

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => api?.close());

const connect = (path: string) => watchSocket(api, path);


describe("/api/events", () => {
  test("pushes task changes and every state of a run", async () => {
    const events = connect("/api/events");
    await events.opened;
    await api.json("POST", "/api/tasks", { name: "ev", steps: [{ name: "a", command: "true" }, { name: "b", command: "true" }] });
    expect((await events.next((m) => m.type === "task" && m.task.name === "ev")).task.next_fire_at).toBeNull();
    const run = (await api.json("POST", "/api/tasks/ev/runs")).body;
    const done = await events.next((m) => m.type === "run" && m.run.id === run.id && m.run.status === "success");
    expect(done.run.steps.map((s: any) => s.status)).toEqual(["success", "success"]);
    const states = events.messages.filter((m) => m.type === "run" && m.run.id === run.id).map((m) => `${m.run.status}:${m.run.steps.map((s: any) => s.status).join(",")}`);
    expect(states[0]).toBe("queued:pending,pending");
    expect(states).toContain("running:running,pending");
    expect(states).toContain("running:success,running");
    await api.call("DELETE", "/api/tasks/ev");
    expect(await events.next((m) => m.type === "task_deleted")).toEqual({ type: "task_deleted", name: "ev" });
    events.socket.close();
  });
});

describe("log WebSocket", () => {
  test("viewers joining mid-step get the whole log from their offset, then live chunks, then end", async () => {
    await api.json("POST", "/api/tasks", { name: "lw", steps: [{ name: "s", command: "bash", args: ["-c", "for i in $(seq 1 30); do echo line $i; sleep 0.03; done"] }] });
    const run = (await api.json("POST", "/api/tasks/lw/runs")).body;
    const early = connect(`/api/runs/${run.id}/steps/1/log/ws?offset=0`);
    await early.next((m) => m.type === "chunk"); // the step has written something
    const middle = connect(`/api/runs/${run.id}/steps/1/log/ws?offset=0`);
    const fromFive = connect(`/api/runs/${run.id}/steps/1/log/ws?offset=5`);
    const ends = await Promise.all([early, middle, fromFive].map((v) => v.next((m) => m.type === "end")));
    const expected = Array.from({ length: 30 }, (_, i) => `line ${i + 1}\n`).join("");
    expect(assemble(early.messages, 0)).toBe(expected);
    expect(assemble(middle.messages, 0)).toBe(expected);
    expect(assemble(fromFive.messages, 5)).toBe(expected.slice(5));
    for (const e of ends) expect(e.step).toMatchObject({ position: 1, name: "s", status: "success", exit_code: 0, log_bytes: expected.length });
  });

  test("a finished step sends the rest and end at once", async () => {
    await api.json("POST", "/api/tasks", { name: "lw-done", steps: [{ name: "s", command: "printf", args: ["hello world"] }] });
    const run = (await api.json("POST", "/api/tasks/lw-done/runs")).body;
    await runEnded(api, run.id);
    const v = connect(`/api/runs/${run.id}/steps/1/log/ws?offset=6`);
    await v.next((m) => m.type === "end");
    expect(assemble(v.messages, 6)).toBe("world");
  });

  test("a character split across two writes arrives whole", async () => {
    await api.json("POST", "/api/tasks", { name: "lw-utf8", steps: [{ name: "s", command: "bash", args: ["-c", "printf 'caf\\xc3'; sleep 0.2; printf '\\xa9 \\xe2\\x82'; sleep 0.2; printf '\\xac\\n'"] }] });
    const run = (await api.json("POST", "/api/tasks/lw-utf8/runs")).body;
    const v = connect(`/api/runs/${run.id}/steps/1/log/ws?offset=0`);
    await v.next((m) => m.type === "end");
    expect(assemble(v.messages, 0)).toBe("café €\n");
    expect(v.messages.some((m) => m.type === "chunk" && m.data.includes("\ufffd"))).toBe(false);
  });

  test("an unknown run or step is refused before the upgrade", async () => {
    const r = await fetch(`${api.url}/api/runs/999999/steps/1/log/ws`, {
      headers: { authorization: `Bearer ${api.token}`, upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version": "13" },
    });
    expect(r.status).toBe(404);
  });
});
