// PostgreSQL as the store (LIGHTFLOW_DATABASE_URL), on a real PostgreSQL from
// Debian's package (tests/helpers/pg.ts): a configuration that cannot work
// stops the start with one line and no password; the database going away
// under 50 runs loses nothing; backup says what to use instead.
// The rest of the behaviour runs on PostgreSQL in `bun run test:postgres`.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { request, startApi, type Api } from "./helpers/api.ts";
import { freshDatabase, pgCluster, type Cluster } from "./helpers/pg.ts";
import { freePort, runCli, startServer } from "./helpers/server.ts";
import { tempDir } from "./helpers/tmp.ts";

let cluster: Cluster;

beforeAll(async () => {
  cluster = await pgCluster();
});

test("a URL that cannot work stops the start: exit 2, one line naming LIGHTFLOW_DATABASE_URL, never the password", async () => {
  const password = "Hunter2-Very-Secret";
  const db = new URL(await freshDatabase());
  const wrongPassword = `postgres://lf:${password}@127.0.0.1:${cluster.port}${db.pathname}`;
  const closed = `postgres://lf:${password}@127.0.0.1:${await freePort()}/lightflow`;
  const noSuchDb = `postgres://lf:${encodeURIComponent(cluster.password)}@127.0.0.1:${cluster.port}/no_such_db`;
  const cases: [string, RegExp][] = [
    [wrongPassword, /password authentication failed/],
    [closed, /cannot use postgres:\/\/lf:\*\*\*@127\.0\.0\.1:\d+\/lightflow/],
    [noSuchDb, /no_such_db/],
    [`postgres//lf:${password}@localhost/x`, /not a URL/],
    [`mysql://lf:${password}@localhost/x`, /must start with postgres:\/\//],
    [`postgres://lf:${password}@localhost`, /must name a host and a database/],
  ];
  for (const [url, reason] of cases) {
    const dir = tempDir();
    const r = await runCli(["serve"], { LIGHTFLOW_DATA_DIR: dir, LIGHTFLOW_DATABASE_URL: url });
    const lines = r.err.trim().split("\n");
    expect({ url, code: r.code, lines: lines.length }).toEqual({ url, code: 2, lines: 1 });
    expect(lines[0]).toStartWith("lightflow: LIGHTFLOW_DATABASE_URL: ");
    expect(lines[0]).toMatch(reason);
    expect(r.err + r.out).not.toContain(password);
    expect(r.err + r.out).not.toContain(cluster.password);
  }
});

test("one live node per name: a second one of the same name refuses to start while commands beside the first still work", async () => {
  const url = await freshDatabase();
  const first = await startApi({ env: { LIGHTFLOW_DATABASE_URL: url, LIGHTFLOW_NODE_NAME: "alpha" } });
  try {
    const second = await runCli(["serve"], { LIGHTFLOW_DATA_DIR: tempDir(), LIGHTFLOW_DATABASE_URL: url, LIGHTFLOW_NODE_NAME: "alpha" });
    expect(second.code).toBe(2);
    expect(second.err.trim()).toBe('lightflow: LIGHTFLOW_NODE_NAME: a node named "alpha" is already running on this database (give each node its own name)');
    expect(second.err).not.toContain(cluster.password);
    const exported = await runCli(["export"], { LIGHTFLOW_DATA_DIR: first.server.dir, LIGHTFLOW_DATABASE_URL: url });
    expect(exported.code).toBe(0);
  } finally {
    await first.close();
  }
  // the lock goes with the first server's connection
  const again = await startServer({ dir: tempDir(), env: { LIGHTFLOW_DATABASE_URL: url, LIGHTFLOW_NODE_NAME: "alpha" } });
  expect(await again.stop()).toBe(0);
});

describe("the database goes away under load", () => {
  let api: Api;
  const password = () => cluster.password;

  beforeAll(async () => {
    api = await startApi({ env: { LIGHTFLOW_DATABASE_URL: await freshDatabase(), LIGHTFLOW_GLOBAL_CONCURRENCY: "50" } });
  });
  afterAll(async () => {
    await cluster.ctl("start").catch(() => {}); // if a test failed while it was stopped
    await api.close();
  });

  /** 50 tasks; task i sleeps, then its second step exits 3 when i % 3 == 0, and an always step reports */
  async function fiftyRuns(prefix: string, sleep: number): Promise<{ id: number; fails: boolean }[]> {
    const runs: { id: number; fails: boolean }[] = [];
    for (let i = 0; i < 50; i++) {
      const fails = i % 3 === 0;
      const name = `${prefix}-${i}`;
      const created = await api.json("POST", "/api/tasks", {
        name,
        steps: [
          { name: "work", command: "sh", args: ["-c", `sleep ${sleep}`] },
          { name: "verdict", command: "sh", args: ["-c", fails ? "exit 3" : "true"] },
          { name: "report", command: "sh", args: ["-c", "echo reported"], run_rule: "always" },
        ],
      });
      expect(created.status).toBe(201);
      const r = await api.json("POST", `/api/tasks/${name}/runs`);
      expect(r.status).toBe(202);
      runs.push({ id: r.body.id, fails });
    }
    return runs;
  }

  async function expectTrueEnds(runs: { id: number; fails: boolean }[]): Promise<void> {
    for (const { id, fails } of runs) {
      const r = await api.json("GET", `/api/runs/${id}`);
      expect(r.status).toBe(200);
      const steps = r.body.steps.map((s: any) => `${s.name}:${s.status}`);
      expect({ id, status: r.body.status, steps }).toEqual({
        id,
        status: fails ? "failed" : "success",
        steps: ["work:success", `verdict:${fails ? "failed" : "success"}`, "report:success"],
      });
      expect(r.body.ended_at).not.toBeNull();
    }
    const live = await api.json("GET", "/api/grid?runs=1");
    const stuck = live.body.tasks.flatMap((t: any) => t.runs).filter((r: any) => r.status === "running" || r.status === "queued");
    expect(stuck).toEqual([]);
  }

  test("stopped while 50 runs go: requests get 503 and /api/alive says so; every step end is written when it is back", async () => {
    const mark = api.server.output().length;
    const runs = await fiftyRuns("stop", 2);
    await cluster.ctl("stop", "-m", "fast");
    const alive = await fetch(`${api.url}/api/alive`);
    expect(alive.status).toBe(503);
    expect((await alive.json()).error).toMatch(/database is unavailable/);
    const tasks = await api.json("GET", "/api/tasks");
    expect(tasks.status).toBe(503);
    expect(tasks.body.error).toMatch(/database is unavailable/);
    // every run ends while PostgreSQL is down: the engine keeps the writes
    for (const { id } of runs) await api.server.waitForText(new RegExp(`run ${id} of stop-\\d+ ended`), mark);
    await cluster.ctl("start");
    await api.server.waitForText(/the database is back/, mark);
    expect((await fetch(`${api.url}/api/alive`)).status).toBe(200);
    await expectTrueEnds(runs);
  });

  test("pg_ctl restart -m fast while 50 runs go: the server reconnects and every run ends with its true status", async () => {
    const mark = api.server.output().length;
    const runs = await fiftyRuns("restart", 1);
    await cluster.ctl("restart", "-m", "fast");
    for (const { id } of runs) await api.server.waitForText(new RegExp(`run ${id} of restart-\\d+ ended`), mark);
    // the restart cut the connection: the first write after it found that out, and the server reconnected
    await api.server.waitForText(/the database is back/, mark);
    expect((await fetch(`${api.url}/api/alive`)).status).toBe(200);
    await expectTrueEnds(runs);
  });

  test("the password is never printed by the server", () => {
    expect(api.server.output()).not.toContain(password());
    expect(api.server.output()).not.toContain(encodeURIComponent(password()));
  });
});

test("backup and restore point to pg_dump; export and import work as on SQLite", async () => {
  const url = await freshDatabase();
  const api = await startApi({ env: { LIGHTFLOW_DATABASE_URL: url } });
  try {
    const env = { LIGHTFLOW_DATA_DIR: api.server.dir, LIGHTFLOW_DATABASE_URL: url };
    const res = await api.json("GET", "/api/backup");
    expect(res.status).toBe(409);
    expect(res.body.error).toMatch(/pg_dump/);
    for (const args of [["backup", join(tempDir(), "b.tar")], ["restore", join(tempDir(), "b.tar")]]) {
      const r = await runCli(args, env);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/pg_dump/);
    }
    expect((await api.json("POST", "/api/tasks", { name: "kept", steps: [{ name: "s", command: "true" }] })).status).toBe(201);
    // the CLI reads the same database as the running server
    const exported = await runCli(["export"], env);
    expect(exported.code).toBe(0);
    expect(exported.out).toContain("kept");
    const file = join(tempDir(), "setup.json");
    await Bun.write(file, exported.out.replace('"kept"', '"copied"'));
    // import writes with the server stopped (as on SQLite); the next start finds it, and the token still works
    await api.server.stop();
    const imported = await runCli(["import", file], env);
    expect(imported.err).toBe("");
    expect(imported.code).toBe(0);
    const again = await startServer({ dir: api.server.dir, env: { LIGHTFLOW_DATABASE_URL: url } });
    try {
      const res = await request(again.url, "GET", "/api/tasks/copied", undefined, { authorization: `Bearer ${api.token}` });
      expect(res.status).toBe(200);
    } finally {
      await again.stop();
    }
  } finally {
    await api.close();
  }
});
