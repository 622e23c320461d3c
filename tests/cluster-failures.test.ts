// Several nodes when messages go missing (issue 17): a node cut off for a few
// seconds while its run ends, a node killed and back within its lease while
// the leader gives it a run, and a message too big for NOTIFY. Each time the
// runs still start and end, and no node goes down. Two real nodes on a real
// PostgreSQL, node b reaching it through a proxy the test cuts (helpers/cluster.ts).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { SQL } from "bun";
import { BEAT_MS, LEASE_MS } from "../server/cluster/postgres.ts";
import { FINISHED, startCluster, until, type ClusterNode, type LfCluster } from "./helpers/cluster.ts";
import { tempDir } from "./helpers/tmp.ts";

let cluster: LfCluster;
let leader: ClusterNode;
let follower: ClusterNode;

beforeAll(async () => {
  cluster = await startCluster([{ name: "a" }, { name: "b" }]);
  leader = await cluster.leader();
  follower = cluster.nodes.find((n) => n !== leader)!;
}, 90_000);
afterAll(async () => cluster?.close());

/** the run once it has ended, as the leader tells it; says where it stands when it never ends */
const ended = (node: ClusterNode, id: number, ms = 30_000) =>
  until(`run ${id} to end`, async () => {
    const r = (await node.json("GET", `/api/runs/${id}`)).body;
    if (!FINISHED.includes(r.status)) throw new Error(`run ${id} is ${r.status} on ${r.node}`);
    return r;
  }, ms, 100);

const trigger = async (node: ClusterNode, task: string) => (await node.json("POST", `/api/tasks/${task}/runs`)).body.id as number;

test("a run that ends on a node cut off for a few seconds reaches the leader: the task's next run starts", async () => {
  expect((await leader.json("POST", "/api/tasks", { name: "during-cut", runs_on: follower.name, steps: [{ name: "s", command: "sleep", args: ["2"] }] })).status).toBe(201);
  const first = await trigger(leader, "during-cut");
  await until("the run to start on the follower", async () => (await leader.json("GET", `/api/runs/${first}`)).body.status === "running", 10_000);
  follower.proxy.cut(); // shorter than the lease: nobody takes anything over, but the run's end cannot be told
  await Bun.sleep(4_000);
  follower.proxy.heal();
  expect((await ended(leader, first)).status).toBe("success");
  // the leader let the task go: its next run starts and ends
  const second = await trigger(leader, "during-cut");
  expect(await ended(leader, second)).toMatchObject({ status: "success", node: follower.name });
}, 90_000);

test("a node killed and back within its lease runs the run the leader gave it meanwhile, and the next one", async () => {
  expect((await leader.json("POST", "/api/tasks", { name: "given-while-down", runs_on: follower.name, steps: [{ name: "s", command: "true" }] })).status).toBe(201);
  await follower.kill9();
  const id = await trigger(leader, "given-while-down");
  // the leader still counts the follower alive (its lease has seconds to go) and gives it the run
  await until("the run to be given to the killed node", async () => (await leader.json("GET", `/api/runs/${id}`)).body.node === follower.name, 8_000, 50);
  await follower.start();
  expect(await ended(leader, id)).toMatchObject({ status: "success", node: follower.name });
  const next = await trigger(leader, "given-while-down");
  expect(await ended(leader, next)).toMatchObject({ status: "success", node: follower.name });
}, 90_000);

test("a change too big for one NOTIFY (a long description in three-byte characters) reaches the other node, and no node goes down", async () => {
  const description = "説明".repeat(1500); // 3,000 characters, 9,000 bytes
  expect((await follower.json("POST", "/api/tasks", { name: "wide", description, cron: "0 0 1 1 *", steps: [{ name: "s", command: "true" }] })).status).toBe(201);
  const seen = await until("the leader to know the task", async () => (await leader.json("GET", "/api/tasks/wide")).body?.description);
  expect(seen).toBe(description);
  expect((await follower.json("PATCH", "/api/tasks/wide", { description: `${description}!` })).status).toBe(200);
  const id = await trigger(follower, "wide");
  expect((await ended(leader, id)).status).toBe("success");
  for (const n of cluster.nodes) expect((await fetch(`${n.url}/api/alive`)).status).toBe(200);
}, 60_000);

test("NOTIFYs on the nodes' channel that are not a node's (sent by hand, by another program) are ignored: every node stays up and runs", async () => {
  const sql = new SQL(cluster.databaseUrl, { max: 1 });
  try {
    for (const payload of ["null", "{}", "42", '{"from":"x","m":[null,7,{"kind":"nodes"}]}', '{"from":"x","m":"no"}', "not json"]) {
      await sql.unsafe(`SELECT pg_notify('lightflow', $1)`, [payload]);
    }
  } finally {
    await sql.close();
  }
  expect((await leader.json("POST", "/api/tasks", { name: "after-noise", runs_on: follower.name, steps: [{ name: "s", command: "true" }] })).status).toBe(201);
  expect(await ended(leader, await trigger(leader, "after-noise"))).toMatchObject({ status: "success", node: follower.name });
  for (const n of cluster.nodes) expect(n.server.proc.exitCode).toBeNull();
});

test("a listening connection that dies without a word (a firewall forgot it): the node notices, listens anew, and starts the run the leader gave it meanwhile", async () => {
  expect((await leader.json("POST", "/api/tasks", { name: "unheard", runs_on: follower.name, steps: [{ name: "s", command: "true" }] })).status).toBe(201);
  const mark = follower.server.output().length;
  follower.proxy.silenceListeners(); // open, but nothing more arrives; its other connection works
  const id = await trigger(leader, "unheard");
  // a lease with nothing heard, a ping to itself unheard for two beats, a new connection at the next beat
  expect(await ended(leader, id, LEASE_MS + 8 * BEAT_MS)).toMatchObject({ status: "success", node: follower.name });
  expect(follower.server.output().slice(mark)).toContain("not even its own message: listening on a new connection");
}, 90_000);

test("the database away from every node for longer than the lease: back, no node is taken for gone, and a step that ran through it ends well", async () => {
  const gate = `${tempDir()}/go`;
  expect((await leader.json("POST", "/api/tasks", { name: "through-outage", runs_on: follower.name, steps: [{ name: "s", command: "sh", args: ["-c", `while [ ! -e ${gate} ]; do sleep 0.1; done`] }] })).status).toBe(201);
  const id = await trigger(leader, "through-outage");
  await until("the run to start on the follower", async () => (await leader.json("GET", `/api/runs/${id}`)).body.status === "running", 10_000);
  const marks = cluster.nodes.map((n) => n.server.output().length);
  // as a PostgreSQL restart or a network fault in front of it would: nobody beats for longer than the lease
  for (const n of cluster.nodes) n.proxy.cut();
  try {
    await Bun.sleep(LEASE_MS + 4_000);
  } finally {
    for (const n of cluster.nodes) n.proxy.heal();
  }
  await until("every node to answer and one to lead", async () => (await cluster.leader(30_000)) && true, 30_000);
  // each node beats again within a beat; a node that leads judges others only after a whole lease of its own beats: wait past it
  await Bun.sleep(LEASE_MS + 2 * BEAT_MS);
  const said = cluster.nodes.flatMap((n, i) => n.server.output().slice(marks[i]).split("\n").filter((l) => / is gone|has not been seen/.test(l)));
  expect(said).toEqual([]);
  expect((await leader.json("GET", `/api/runs/${id}`)).body).toMatchObject({ status: "running", node: follower.name });
  expect((await follower.nodes()).map((n) => [n.name, n.alive])).toEqual(cluster.nodes.map((n) => [n.name, true]));
  await Bun.write(gate, "");
  expect(await ended(leader, id)).toMatchObject({ status: "success", node: follower.name });
}, 120_000);
