// Several machines (issue 17): three real Lightflow nodes on their own ports,
// data directories and names, sharing one real PostgreSQL, each through a TCP
// proxy the test can cut (tests/helpers/cluster.ts). What a user of three
// servers would notice: one list of nodes, a task pinned to a node runs there
// and its log reads live from any node, a 1-slot pool holds across nodes,
// the schedule survives the leader's kill -9 and a network cut without firing
// twice, and a taken name is refused.
//
// The two tests that need a CRON fire wait for a minute boundary (up to ~75 s
// each); they come last, and the rest stays fast.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { request, watchSocket } from "./helpers/api.ts";
import { FINISHED, serveExpectingExit, startCluster, stepProcesses, until, within, type ClusterNode, type LfCluster } from "./helpers/cluster.ts";
import { pgCluster } from "./helpers/pg.ts";
import { tempDir } from "./helpers/tmp.ts";
import { assemble } from "./helpers/logsocket.ts";

/** a test that waits for a CRON fire: a minute boundary plus the hand-over, and each of its bounded waits */
const MINUTE_TEST = 240_000;

let cluster: LfCluster;
let a: ClusterNode, b: ClusterNode, c: ClusterNode;

beforeAll(async () => {
  cluster = await startCluster([
    { name: "a", labels: "db,backup" },
    { name: "b", labels: "db" },
    { name: "c", labels: "web" },
  ]);
  [a, b, c] = ["a", "b", "c"].map((n) => cluster.node(n)) as [ClusterNode, ClusterNode, ClusterNode];
}, 90_000);

afterAll(async () => cluster?.close());

/** A task's runs, newest first, as `via` answers. */
async function runsOf(via: ClusterNode, task: string): Promise<any[]> {
  const r = await via.json("GET", `/api/tasks/${task}/runs?limit=500`);
  if (r.status !== 200) throw new Error(`runs of ${task} on ${via.name}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

async function createTask(via: ClusterNode, task: object): Promise<any> {
  const r = await via.json("POST", "/api/tasks", task);
  expect(r.status).toBe(201);
  return r.body;
}

/** The first minute boundary strictly after `ms`, as a run's scheduled_for says it. */
const nextMinute = (ms: number) => new Date((Math.floor(ms / 60_000) + 1) * 60_000).toISOString();

/** scheduled_for values that more than one run has */
const doubled = (runs: any[]) => {
  const seen = runs.map((r) => r.scheduled_for).filter(Boolean);
  return seen.filter((s, i) => seen.indexOf(s) !== i);
};

test("every node lists the three nodes with their labels and URLs, all alive, one leader; a viewer may read it", async () => {
  const leader = await cluster.leader();
  for (const n of cluster.nodes) {
    const list = await n.nodes();
    expect(list.map((x) => x.name).sort()).toEqual(["a", "b", "c"]);
    for (const x of list) {
      const node = cluster.node(x.name);
      expect(x).toMatchObject({ name: node.name, labels: node.labels, url: node.url, alive: true, leader: x.name === leader.name, running: 0 });
      expect(Date.parse(x.last_seen_at)).toBeGreaterThanOrEqual(Date.parse(x.started_at));
    }
  }
  // accounts are cluster-wide: a viewer invited through a reads the list on b
  const viewer = await a.user("viewer@example.com", "viewer");
  const r = await request(b.url, "GET", "/api/nodes", undefined, { authorization: `Bearer ${viewer.token}` });
  expect(r.status).toBe(200);
});

test("a task pinned to b and triggered through a runs on b; a follows its log live (?follow=1 and WebSocket) and serves it after the end", async () => {
  const gate = `${tempDir()}/go`;
  await createTask(a, {
    name: "pinned",
    runs_on: "b",
    steps: [{ name: "s", command: "bash", args: ["-c", `echo "data $LIGHTFLOW_DATA_DIR"; for i in $(seq 1 20); do echo line $i; done; while [ ! -e ${gate} ]; do sleep 0.05; done; for i in $(seq 21 40); do echo line $i; sleep 0.01; done`] }],
  });
  const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}\n`).join("");
  // the step prints the data directory of the node it runs on: b's, not a's
  const expected = `data ${b.dir}\n${lines(1, 40)}`;
  const queued = await a.json("POST", "/api/tasks/pinned/runs");
  expect(queued.status).toBe(202);
  const id = queued.body.id;
  const running = await until("the run to be running", async () => {
    const r = (await a.json("GET", `/api/runs/${id}`)).body;
    return r.steps[0].status === "running" && r;
  });
  expect(running.node).toBe("b");

  const stop = new AbortController();
  const ws = watchSocket(a, `/api/runs/${id}/steps/1/log/ws?offset=0`);
  try {
    const follow = await within("the answer to ?follow=1 on a", fetch(`${a.url}/api/runs/${id}/steps/1/log?follow=1`, { headers: { authorization: `Bearer ${a.token}` }, signal: stop.signal }), 15_000);
    // a refusal says why (a 503 names the node it could not reach)
    expect({ status: follow.status, refusal: follow.status === 200 ? null : await follow.text() }).toEqual({ status: 200, refusal: null });
    let followed = "";
    const reading = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of follow.body as ReadableStream<Uint8Array>) followed += decoder.decode(chunk, { stream: true });
    })();
    // live: both have the first lines while the step still waits for the gate
    await until("the first lines followed on a", () => followed.includes("line 20\n"), 15_000);
    // chunks may cut a line anywhere: the text they make up so far
    await until("the first lines on a's log WebSocket", () => assemble(ws.messages, 0).includes("line 20\n"), 15_000, 20);
    expect(followed).not.toContain("line 21");
    await Bun.write(gate, "");
    const end = await within("the end of the log on a's WebSocket", ws.next((m) => m.type === "end"), 15_000);
    await within("the end of the followed log on a", reading, 15_000);
    expect(followed).toBe(expected);
    expect(assemble(ws.messages, 0)).toBe(expected);
    expect(end.step).toMatchObject({ position: 1, status: "success", exit_code: 0, log_bytes: Buffer.byteLength(expected) });
  } finally {
    ws.close();
    stop.abort();
    await Bun.write(gate, ""); // the step ends whatever failed
  }

  const done = (await a.json("GET", `/api/runs/${id}`)).body;
  expect({ status: done.status, node: done.node }).toEqual({ status: "success", node: "b" });
  const log = (node: ClusterNode, query: string) => node.call("GET", `/api/runs/${id}/steps/1/log${query}`).then((r) => r.text());
  expect(await log(a, "")).toBe(expected);
  expect(await log(a, "?tail=8")).toBe(expected.slice(-8));
  expect(await log(a, "?offset=5")).toBe(expected.slice(5));
  expect(await log(c, "")).toBe(expected);
}, 60_000);

test("100 runs in one 1-slot pool, triggered through all three nodes: all succeed, never two at once, each on a node its runs_on matches", async () => {
  expect((await a.json("POST", "/api/pools", { name: "one", slots: 1 })).status).toBe(201);
  // a and b have label db, c has web; names and null too
  const placements = [null, "db", "c", "a", "web", "b"];
  const runsOn = (i: number) => placements[i % placements.length]!;
  const matches = (want: string | null, node: string) => want === null || want === node || cluster.node(node).labels.includes(want);
  const nodes = cluster.nodes;
  for (let i = 0; i < 100; i++) {
    await createTask(nodes[i % 3]!, {
      name: `t${i}`,
      pool: "one",
      runs_on: runsOn(i),
      // the step's own clock, beside the database's: two runs at once show in either
      steps: [{ name: "work", command: "sh", args: ["-c", "date +%s%N; sleep 0.05; date +%s%N"] }],
    });
  }
  const events = watchSocket(c, "/api/events");
  await events.opened;
  const triggered = await Promise.all(Array.from({ length: 100 }, (_, i) => nodes[i % 3]!.json("POST", `/api/tasks/t${i}/runs`)));
  expect(triggered.map((r) => r.status)).toEqual(Array(100).fill(202));
  const ids = triggered.map((r) => r.body.id as number);
  expect(new Set(ids).size).toBe(100);
  // c sees every run end, wherever it ran
  await until(
    "all 100 runs to end, as c's /api/events tells",
    () => {
      const ended = new Set(events.messages.filter((m) => m.type === "run" && FINISHED.includes(m.run.status)).map((m) => m.run.id));
      return ids.every((id) => ended.has(id));
    },
    120_000,
    250,
  );
  events.close();

  const runs: any[] = [];
  for (let i = 0; i < 100; i++) {
    const list = await runsOf(nodes[(i + 1) % 3]!, `t${i}`);
    expect(list.length).toBe(1);
    runs.push(list[0]);
  }
  expect(runs.filter((r) => r.status !== "success").map((r) => `${r.task}: ${r.status}`)).toEqual([]);
  expect(runs.flatMap((r, i) => (matches(runsOn(i), r.node) ? [] : [`${r.task} (runs_on ${runsOn(i)}) ran on ${r.node}`]))).toEqual([]);
  expect(new Set(runs.map((r) => r.node))).toEqual(new Set(["a", "b", "c"]));

  const overlaps = (intervals: { what: string; start: number | bigint; end: number | bigint }[]) => {
    const sorted = [...intervals].sort((x, y) => (x.start < y.start ? -1 : x.start > y.start ? 1 : 0));
    return sorted.slice(1).flatMap((r, i) => (r.start < sorted[i]!.end ? [`${r.what} started before ${sorted[i]!.what} ended`] : []));
  };
  // the database's [started_at, ended_at]
  expect(overlaps(runs.map((r) => ({ what: `${r.task} on ${r.node}`, start: Date.parse(r.started_at), end: Date.parse(r.ended_at) })))).toEqual([]);
  // the processes' own times, from their logs read through any node
  const lived = await Promise.all(
    runs.map(async (r, i) => {
      const [start, end] = (await (await nodes[i % 3]!.call("GET", `/api/runs/${r.id}/steps/1/log`)).text()).trim().split("\n").map(BigInt);
      return { what: `${r.task} on ${r.node}`, start: start!, end: end! };
    }),
  );
  expect(overlaps(lived)).toEqual([]);
}, 180_000);

test("a node started with a live node's name exits 2 with one line naming LIGHTFLOW_NODE_NAME; the live one is undisturbed", async () => {
  const before = (await b.nodes()).find((n) => n.name === "b")!;
  const pg = await pgCluster();
  const r = await serveExpectingExit({ LIGHTFLOW_DATA_DIR: tempDir(), LIGHTFLOW_DATABASE_URL: cluster.databaseUrl, LIGHTFLOW_NODE_NAME: "b" });
  expect(r.code).toBe(2);
  const lines = r.err.trim().split("\n");
  expect(lines.length).toBe(1);
  expect(lines[0]).toContain("LIGHTFLOW_NODE_NAME");
  expect(r.err + r.out).not.toContain(pg.password);
  const after = await a.nodes();
  expect(after.filter((n) => n.name === "b")).toEqual([expect.objectContaining({ alive: true, started_at: before.started_at, url: b.url })]);
  expect((await fetch(`${b.url}/api/alive`)).status).toBe(200);
});

test("a node cut off from PostgreSQL stops scheduling: a survivor leads and fires, the cut node fires nothing; healed, it rejoins cleanly", async () => {
  const cutNode = await cluster.leader();
  const survivor = cluster.nodes.find((n) => n !== cutNode)!;
  await createTask(survivor, { name: "tick-cut", cron: "* * * * *", steps: [{ name: "s", command: "true" }] });
  const cutAt = Date.now();
  const fire = nextMinute(cutAt);
  cutNode.proxy.cut();
  try {
    await until(`${cutNode.name} to say its database is unavailable`, async () => (await fetch(`${cutNode.url}/api/alive`)).status === 503, 15_000);
    await until(
      `a survivor to lead and to see ${cutNode.name} dead`,
      async () => {
        const list = await survivor.nodes();
        const leaders = list.filter((n) => n.leader);
        return leaders.length === 1 && leaders[0]!.name !== cutNode.name && !list.find((n) => n.name === cutNode.name)!.alive;
      },
      30_000,
    );
    // a fire time while it is cut runs, on a survivor
    const ran = await until(`the fire time ${fire} to end`, async () => (await runsOf(survivor, "tick-cut")).find((r) => r.scheduled_for === fire && FINISHED.includes(r.status)), 90_000, 500);
    expect(ran.status).toBe("success");
    expect(ran.node).not.toBe(cutNode.name);
  } finally {
    cutNode.proxy.heal();
  }
  const healedAt = Date.now();
  await until(`${cutNode.name} to answer again`, async () => (await fetch(`${cutNode.url}/api/alive`)).status === 200, 30_000);
  // every node, the healed one too, lists it alive and names one and the same leader
  await until(
    "one leader in every view, the healed node alive and seen since the heal",
    async () => {
      const views = await Promise.all(cluster.nodes.map((n) => n.nodes()));
      const leaders = new Set(views.map((v) => v.filter((n) => n.leader).map((n) => n.name).join(",")));
      return views.every((v) => v.some((n) => n.name === cutNode.name && n.alive && Date.parse(n.last_seen_at) > healedAt)) && leaders.size === 1 && !([...leaders][0]!.includes(","));
    },
    30_000,
  );
  // it runs steps again at once: a task pinned to it, triggered elsewhere. It hears the
  // leader give it the run: it listens again within a beat of reaching the database
  // (Bun's own retry of a LISTEN waits longer and longer: up to tens of seconds after a long cut)
  await createTask(survivor, { name: `on-${cutNode.name}`, runs_on: cutNode.name, steps: [{ name: "s", command: "true" }] });
  const run = (await survivor.json("POST", `/api/tasks/on-${cutNode.name}/runs`)).body;
  const ended = await until(`run ${run.id} of a task pinned to ${cutNode.name} to end`, async () => {
    const r = (await survivor.json("GET", `/api/runs/${run.id}`)).body;
    if (!FINISHED.includes(r.status)) throw new Error(`${r.status} on ${r.node}`); // said when it never ends
    return r;
  }, 10_000);
  expect(ended).toMatchObject({ status: "success", node: cutNode.name });
  // by now anything it held while cut is written: no fire time has two runs
  const ticks = await runsOf(survivor, "tick-cut");
  expect(doubled(ticks)).toEqual([]);
  expect(ticks.filter((r) => r.scheduled_for === fire).length).toBe(1);
  await survivor.json("PATCH", "/api/tasks/tick-cut", { enabled: false });
}, MINUTE_TEST);

test("kill -9 the leader: a survivor takes over, the next fire time runs once, the dead node's step is recorded interrupted; restarted, nothing runs twice", async () => {
  const leader = await cluster.leader();
  const survivor = cluster.nodes.find((n) => n !== leader)!;
  await createTask(survivor, { name: "tick-kill", cron: "* * * * *", steps: [{ name: "s", command: "true" }] });
  await createTask(survivor, {
    name: "long",
    runs_on: leader.name,
    steps: [
      { name: "work", command: "sleep", args: ["300"] },
      { name: "report", command: "sh", args: ["-c", 'echo "reported from $LIGHTFLOW_DATA_DIR"'], run_rule: "always" },
    ],
  });
  const id = (await survivor.json("POST", "/api/tasks/long/runs")).body.id;
  const running = await until("long's step to run on the leader", async () => {
    const r = (await survivor.json("GET", `/api/runs/${id}`)).body;
    return r.steps[0].status === "running" && r;
  });
  expect(running.node).toBe(leader.name);
  await until("the step's process", () => stepProcesses(leader.dir, id).length > 0);
  try {
    const killedAt = Date.now();
    const fire = nextMinute(killedAt);
    await leader.kill9();
    const newLeader = await until(
      "a survivor to name a new leader",
      async () => {
        const leaders = (await survivor.nodes()).filter((n) => n.leader && n.alive);
        return leaders.length === 1 && leaders[0]!.name !== leader.name && leaders[0]!.name;
      },
      30_000,
      50,
    );
    console.log(`leader hand-over after kill -9 of ${leader.name}: ${((Date.now() - killedAt) / 1000).toFixed(1)} s (new leader ${newLeader})`);

    // the survivors record the dead node's running step as failed
    const interrupted = await until("long's run to be recorded failed", async () => {
      const r = (await survivor.json("GET", `/api/runs/${id}`)).body;
      return r.steps[0].status === "failed" && r;
    }, 30_000);
    expect(interrupted.steps[0].error).toStartWith("interrupted");
    expect((await survivor.nodes()).find((n) => n.name === leader.name)).toMatchObject({ alive: false, leader: false });

    const fired = await until(`the fire time ${fire} to end`, async () => (await runsOf(survivor, "tick-kill")).find((r) => r.scheduled_for === fire && FINISHED.includes(r.status)), 90_000, 500);
    expect(fired).toMatchObject({ status: "success" });
    expect(fired.node).not.toBe(leader.name);

    // restarted on its directory and name: it kills the orphan, runs the always step, and fires nothing again
    await leader.start();
    await until(`${leader.name} alive again`, async () => (await survivor.nodes()).find((n) => n.name === leader.name)!.alive, 30_000);
    const after = await until("long's always step to have run", async () => {
      const r = (await survivor.json("GET", `/api/runs/${id}`)).body;
      return !["pending", "running"].includes(r.steps[1].status) && r;
    }, 30_000);
    expect(after.status).toBe("failed");
    expect(after.steps.map((s: any) => s.status)).toEqual(["failed", "success"]);
    expect(after.steps[0].error).toStartWith("interrupted");
    expect(after.steps[0].started_at).toBe(running.steps[0].started_at); // not started again
    expect(await (await leader.call("GET", `/api/runs/${id}/steps/2/log`)).text()).toBe(`reported from ${leader.dir}\n`);
    expect((await runsOf(survivor, "long")).length).toBe(1);
    const ticks = await runsOf(survivor, "tick-kill");
    expect(doubled(ticks)).toEqual([]);
    expect(ticks.filter((r) => r.scheduled_for === fire).length).toBe(1);
    const left = () => stepProcesses(leader.dir, id).flatMap((pid) => {
      try {
        return [`${pid}: ${readFileSync(`/proc/${pid}/cmdline`, "latin1").replaceAll("\0", " ").trim()}`];
      } catch {
        return []; // ended meanwhile
      }
    });
    await until("the orphaned step process to be gone", () => left().length === 0, 15_000).catch(() => expect(left()).toEqual([]));
    await survivor.json("PATCH", "/api/tasks/tick-kill", { enabled: false });
  } finally {
    // a failed test leaves no `sleep 300` behind (only processes that still carry this run's environment)
    for (const pid of stepProcesses(leader.dir, id)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    }
  }
}, MINUTE_TEST);
