// A step's log from any node of a cluster: two real nodes (a and b) on one
// real PostgreSQL. A task pinned to b is triggered through a; a follows its log
// live (HTTP follow=1 and the log WebSocket) while b runs it, serves every read
// of it byte for byte as b does once it ended, and answers 503 naming b once b
// is gone. The internal route b serves it from refuses a wrong or missing
// cluster secret.
import { SQL } from "bun";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startApi, watchSocket, type Api } from "./helpers/api.ts";
import { freshDatabase } from "./helpers/pg.ts";
import { freePort, joined, startServer, type ServerProcess } from "./helpers/server.ts";
import { tempDir } from "./helpers/tmp.ts";
import { assemble } from "./helpers/logsocket.ts";

let db: string;
let a: Api;
let b: ServerProcess;

async function nodeEnv(name: string): Promise<Record<string, string>> {
  const port = await freePort();
  return { LIGHTFLOW_DATABASE_URL: db, LIGHTFLOW_NODE_NAME: name, LIGHTFLOW_BIND: `127.0.0.1:${port}`, LIGHTFLOW_NODE_URL: `http://127.0.0.1:${port}` };
}

beforeAll(async () => {
  db = await freshDatabase();
  a = await startApi({ env: await nodeEnv("a") }); // first: it leads, and places the run on b
  await joined(a.server);
  b = await startServer({ env: await nodeEnv("b") });
  await joined(b);
});
afterAll(async () => {
  b?.cleanup();
  await a?.close();
});

const auth = () => ({ authorization: `Bearer ${a.token}` });
const internal = (runId: number) => `${b.url}/api/internal/runs/${runId}/steps/1/log?attempt=1`;

/** Reads a streamed body until `done(text so far)`; the reader stays open for more. */
async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, sofar: { text: string }, done: (text: string) => boolean): Promise<void> {
  const decoder = new TextDecoder();
  while (!done(sofar.text)) {
    const { value, done: ended } = await reader.read();
    if (ended) throw new Error(`the body ended with ${JSON.stringify(sofar.text)}`);
    sofar.text += decoder.decode(value, { stream: true });
  }
}

test("a step that runs on b: node a follows its log live, serves it as b does once it ended, and answers 503 naming b once b is gone", async () => {
  const gate = join(tempDir(), "go");
  const script = `echo line 1; while [ ! -e ${gate} ]; do sleep 0.05; done; echo line 2; sleep 0.2; echo line 3`;
  const events = watchSocket(a, "/api/events");
  await events.opened;
  expect((await a.json("POST", "/api/tasks", { name: "far", runs_on: "b", steps: [{ name: "s", command: "bash", args: ["-c", script] }] })).status).toBe(201);
  const run = (await a.json("POST", "/api/tasks/far/runs")).body;
  const started = await events.next((m) => m.type === "run" && m.run.id === run.id && m.run.status !== "queued");
  expect({ status: started.run.status, node: started.run.node }).toEqual({ status: "running", node: "b" });

  // both followers see line 1 while the step waits for the gate: live, not read after the end
  const res = await fetch(`${a.url}/api/runs/${run.id}/steps/1/log?follow=1`, { headers: auth() });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const followed = { text: "" };
  const ws = watchSocket(a, `/api/runs/${run.id}/steps/1/log/ws?offset=0`);
  await readUntil(reader, followed, (t) => t.includes("line 1\n"));
  await ws.next((m) => m.type === "chunk" && assemble(ws.messages).includes("line 1\n"));
  expect(ws.messages.some((m) => m.type === "end")).toBe(false);

  writeFileSync(gate, "");
  const expected = "line 1\nline 2\nline 3\n";
  await readUntil(reader, followed, (t) => t === expected);
  expect((await reader.read()).done).toBe(true); // the follow ends with the step
  const end = await ws.next((m) => m.type === "end");
  await ws.closed;
  expect(assemble(ws.messages)).toBe(expected);
  expect(end.step).toMatchObject({ position: 1, name: "s", status: "success", exit_code: 0, log_bytes: expected.length });
  events.close();

  // the log is b's file only: a serves every read of it as b does
  expect(existsSync(join(a.server.dir, "logs", "far"))).toBe(false);
  expect(existsSync(join(b.dir, "logs", "far", String(run.id), "1-s.log"))).toBe(true);
  for (const q of ["", "?tail=7", "?offset=7", "?offset=3&limit=9", "?attempt=1", "?tail=0"]) {
    const [fromA, fromB] = await Promise.all([a.url, b.url].map((u) => fetch(`${u}/api/runs/${run.id}/steps/1/log${q}`, { headers: auth() })));
    const got = { q, status: fromA.status, size: fromA.headers.get("x-log-size"), start: fromA.headers.get("x-log-start"), body: await fromA.text() };
    expect(got).toEqual({ q, status: fromB.status, size: fromB.headers.get("x-log-size"), start: fromB.headers.get("x-log-start"), body: await fromB.text() });
    expect(got.status).toBe(200);
  }
  expect(await (await fetch(`${a.url}/api/runs/${run.id}/steps/1/log?tail=7`, { headers: auth() })).text()).toBe("line 3\n");
  // a finished step's log over a's WebSocket: whole, then end
  const after = watchSocket(a, `/api/runs/${run.id}/steps/1/log/ws?offset=7`);
  await after.next((m) => m.type === "end");
  expect(assemble(after.messages.map((m) => (m.type === "chunk" ? { ...m, offset: m.offset - 7 } : m)))).toBe(expected.slice(7));

  await b.stop();
  const gone = { error: "the log of this step is on node b, which is not reachable" };
  for (const q of ["", "?tail=7", "?follow=1"]) {
    const r = await fetch(`${a.url}/api/runs/${run.id}/steps/1/log${q}`, { headers: auth() });
    expect({ q, status: r.status, body: await r.json() }).toEqual({ q, status: 503, body: gone });
  }
  const upgrade = await fetch(`${a.url}/api/runs/${run.id}/steps/1/log/ws`, {
    headers: { ...auth(), upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version": "13" },
  });
  expect({ status: upgrade.status, body: await upgrade.json() }).toEqual({ status: 503, body: gone });
  // b again (same name, same data directory), for the next test
  b = await startServer({ dir: b.dir, env: { ...(await nodeEnv("b")) } });
  await joined(b);
}, 60_000);

test("the internal log route gives nothing without the cluster secret: missing, wrong or a user's token get 401", async () => {
  await a.json("POST", "/api/tasks", { name: "near", runs_on: "b", steps: [{ name: "s", command: "echo", args: ["private output"] }] });
  const events = watchSocket(a, "/api/events");
  await events.opened;
  const run = (await a.json("POST", "/api/tasks/near/runs")).body;
  await events.next((m) => m.type === "run" && m.run.id === run.id && m.run.status === "success");
  events.close();
  const sql = new SQL(db, { max: 1 });
  const [{ secret }] = await sql`SELECT secret FROM cluster_secret`;
  await sql.close();
  for (const headers of [{}, { "x-lightflow-cluster-secret": "wrong" }, { "x-lightflow-cluster-secret": `${secret}x` }, auth()] as Record<string, string>[]) {
    const r = await fetch(internal(run.id), { headers });
    const body = await r.text();
    expect({ status: r.status, body: JSON.parse(body) }).toEqual({ status: 401, body: { error: "for the nodes of this cluster only: the cluster secret is missing or wrong" } });
    expect(r.headers.get("x-log-size")).toBeNull();
  }
  // the same request with the secret: the route itself works, so the 401s were the secret's
  const ok = await fetch(internal(run.id), { headers: { "x-lightflow-cluster-secret": secret } });
  expect({ status: ok.status, body: await ok.text() }).toEqual({ status: 200, body: "private output\n" });
  // no API answer carries the secret
  for (const path of ["/api/nodes", `/api/runs/${run.id}`, "/api/about"]) expect(await (await a.call("GET", path)).text()).not.toContain(secret);
}, 60_000);

test("a viewer of a run still queued (no node yet) follows its log on the node the leader places it on", async () => {
  // one slot: the second run waits, unplaced, while the first holds it
  await a.json("POST", "/api/pools", { name: "one", slots: 1 });
  const gate = join(tempDir(), "go");
  const hold = `echo holding; while [ ! -e ${gate} ]; do sleep 0.05; done`;
  await a.json("POST", "/api/tasks", { name: "first", runs_on: "b", pool: "one", steps: [{ name: "s", command: "bash", args: ["-c", hold] }] });
  await a.json("POST", "/api/tasks", { name: "second", runs_on: "b", pool: "one", steps: [{ name: "s", command: "bash", args: ["-c", "echo one; echo two"] }] });
  const events = watchSocket(a, "/api/events");
  await events.opened;
  const first = (await a.json("POST", "/api/tasks/first/runs")).body;
  await events.next((m) => m.type === "run" && m.run.id === first.id && m.run.status === "running");
  const second = (await a.json("POST", "/api/tasks/second/runs")).body;
  expect((await a.json("GET", `/api/runs/${second.id}`)).body).toMatchObject({ status: "queued", node: null });
  const ws = watchSocket(a, `/api/runs/${second.id}/steps/1/log/ws?offset=0`);
  await ws.opened;
  // (the answer's head comes with its first bytes: not awaited before the gate opens)
  const followed = fetch(`${a.url}/api/runs/${second.id}/steps/1/log?follow=1`, { headers: auth() }).then((r) => r.text());
  writeFileSync(gate, "");
  const end = await ws.next((m) => m.type === "end");
  expect(assemble(ws.messages)).toBe("one\ntwo\n");
  expect(end.step).toMatchObject({ status: "success", log_bytes: 8 });
  expect(await followed).toBe("one\ntwo\n");
  expect((await a.json("GET", `/api/runs/${second.id}`)).body).toMatchObject({ status: "success", node: "b" });
  events.close();
}, 60_000);

test("renaming and deleting a task on node a moves and removes its logs on node b too", async () => {
  const events = watchSocket(a, "/api/events");
  await events.opened;
  await a.json("POST", "/api/tasks", { name: "moved", runs_on: "b", steps: [{ name: "s", command: "echo", args: ["kept"] }] });
  const run = (await a.json("POST", "/api/tasks/moved/runs")).body;
  await events.next((m) => m.type === "run" && m.run.id === run.id && m.run.status === "success");
  events.close();
  const onB = watchSocket({ ...a, url: b.url }, "/api/events"); // b tells what it heard from a
  await onB.opened;
  const def = (await a.json("GET", "/api/tasks/moved")).body;
  expect((await a.json("PUT", "/api/tasks/moved", { name: "renamed", runs_on: "b", steps: def.steps.map((s: any) => ({ name: s.name, command: s.command, args: s.args })) })).status).toBe(200);
  await onB.next((m) => m.type === "task" && m.task.name === "renamed");
  expect(existsSync(join(b.dir, "logs", "moved"))).toBe(false);
  expect(existsSync(join(b.dir, "logs", "renamed", String(run.id), "1-s.log"))).toBe(true);
  expect(await (await fetch(`${a.url}/api/runs/${run.id}/steps/1/log`, { headers: auth() })).text()).toBe("kept\n");
  expect((await a.call("DELETE", "/api/tasks/renamed")).status).toBe(204);
  await onB.next((m) => m.type === "task_deleted" && m.name === "renamed");
  expect(existsSync(join(b.dir, "logs", "renamed"))).toBe(false);
  onB.close();
}, 60_000);

test("following a step that prints nothing yet: the node that runs it answers at once, and the follower gets its output when it comes", async () => {
  const gate = join(tempDir(), "go");
  await a.json("POST", "/api/tasks", { name: "quiet", runs_on: "b", steps: [{ name: "s", command: "bash", args: ["-c", `while [ ! -e ${gate} ]; do sleep 0.05; done; echo at last`] }] });
  const events = watchSocket(a, "/api/events");
  await events.opened;
  const run = (await a.json("POST", "/api/tasks/quiet/runs")).body;
  await events.next((m) => m.type === "run" && m.run.id === run.id && m.run.status === "running");
  events.close();
  const sql = new SQL(db, { max: 1 });
  const [{ secret }] = await sql`SELECT secret FROM cluster_secret`;
  await sql.close();
  // its head before any log byte: else a follower would take the silence for a node gone
  const direct = await fetch(`${internal(run.id)}&follow=1`, { headers: { "x-lightflow-cluster-secret": secret } });
  expect(direct.status).toBe(200);
  const ws = watchSocket(a, `/api/runs/${run.id}/steps/1/log/ws?offset=0`);
  await ws.opened;
  writeFileSync(gate, "");
  await ws.next((m) => m.type === "end");
  expect(assemble(ws.messages)).toBe("at last\n");
  await direct.body?.cancel();
}, 60_000);
