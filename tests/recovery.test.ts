// Stopping the server, gently or with kill -9, in the middle of a run.
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { storeOf } from "./helpers/store.ts";
import { SqlRunStore as RunStore } from "../server/db/runs.ts";
import { SqlTaskStore as TaskStore } from "../server/db/tasks.ts";
import { SqlVariableStore as VariableStore } from "../server/db/variables.ts";
import { sh, taskDef, tempDir } from "./helpers/engine.ts";
import { waitForFile } from "./helpers/files.ts";
import { cookieOf, linkFor, request, tokenOfLink } from "./helpers/api.ts";
import { startServer, type ServerProcess } from "./helpers/server.ts";
import { processesWith } from "./helpers/procs.ts";

let servers: ServerProcess[] = [];
afterEach(() => {
  for (const s of servers) s.cleanup();
  servers = [];
});


/** A data directory holding one queued run of a task that stops a "service", works, and restores it always. */
async function seed(dir: string, marker: string): Promise<number> {
  const db = await storeOf(dir);
  new VariableStore(db).insert({ key: "TEST_MARKER", value: marker, secret: false });
  const task = new TaskStore(db).insert(
    taskDef("backup", [
      sh("work", `touch "$LIGHTFLOW_DATA_DIR/started"; sleep 300 & sleep 300`),
      sh("next", "true"),
      sh("restore", `touch "$LIGHTFLOW_DATA_DIR/restored"`, { run_rule: "always" }),
    ]),
    Date.now(),
  );
  const run = new RunStore(db).insertQueued(task, "manual", null, null, Date.now())!;
  db.close();
  return run.id;
}

async function readRun(dir: string, id: number) {
  const db = await storeOf(dir);
  const run = new RunStore(db).get(id)!;
  db.close();
  return run;
}

describe("restart and crash recovery", () => {
  test("after kill -9 the leftover step processes are killed, the run is closed and its always steps run first", async () => {
    const dir = tempDir();
    const marker = `m${Math.random().toString(36).slice(2)}`;
    const runId = await seed(dir, marker);
    const first = await startServer({ dir });
    servers.push(first);
    await waitForFile(join(dir, "started"));
    await first.kill9();
    expect(processesWith("TEST_MARKER", marker).length).toBeGreaterThan(0); // the step outlived the server

    const second = await startServer({ dir });
    servers.push(second);
    await second.waitForLine(new RegExp(`run ${runId} of backup recovered`));
    await waitForFile(join(dir, "restored"));
    expect(await second.stop()).toBe(0);

    const run = await readRun(dir, runId);
    expect(run.status).toBe("failed");
    expect(run.steps.map((s) => [s.status, s.error])).toEqual([
      ["failed", "interrupted: server stopped unexpectedly"],
      ["not_run", null],
      ["success", null],
    ]);
    expect(processesWith("TEST_MARKER", marker)).toEqual([]);
  });

  test("SIGTERM kills running steps, records them failed, exits 0; the always steps run at the next start", async () => {
    const dir = tempDir();
    const marker = `m${Math.random().toString(36).slice(2)}`;
    const runId = await seed(dir, marker);
    const first = await startServer({ dir });
    servers.push(first);
    await waitForFile(join(dir, "started"));
    expect(await first.stop()).toBe(0);
    expect(processesWith("TEST_MARKER", marker)).toEqual([]);
    let run = await readRun(dir, runId);
    expect(run.status).toBe("running");
    expect(run.steps.map((s) => [s.status, s.error])).toEqual([
      ["failed", "interrupted by server shutdown"],
      ["not_run", null],
      ["pending", null],
    ]);

    const second = await startServer({ dir });
    servers.push(second);
    await second.waitForLine(new RegExp(`run ${runId} of backup recovered`));
    expect(await second.stop()).toBe(0);
    run = await readRun(dir, runId);
    expect(run.status).toBe("failed");
    expect(run.steps.map((s) => s.status)).toEqual(["failed", "not_run", "success"]);
  });

  test("queued runs survive a restart and run", async () => {
    const dir = tempDir();
    const db = await storeOf(dir);
    const task = new TaskStore(db).insert(taskDef("later", [sh("s", `touch "$LIGHTFLOW_DATA_DIR/ran"`)]), Date.now());
    const run = new RunStore(db).insertQueued(task, "manual", null, null, Date.now())!;
    db.close();
    const server = await startServer({ dir });
    servers.push(server);
    await server.waitForLine(new RegExp(`run ${run.id} of later ended success`));
    expect(await server.stop()).toBe(0);
    expect((await readRun(dir, run.id)).status).toBe("success");
  });
});

describe("schedules saved before CRON was read strictly", () => {
  test("a stored schedule that is refused now leaves its task unscheduled, and the server starts", async () => {
    const dir = tempDir();
    const db = await storeOf(dir);
    const tasks = new TaskStore(db);
    // once accepted (and run every Friday); refused since
    const old = tasks.insert({ ...taskDef("friday", [sh("s", "true")]), cron: "0 0 * * 5#3", enabled: true }, Date.now());
    tasks.insert({ ...taskDef("hourly", [sh("s", "true")]), cron: "0 * * * *", enabled: true }, Date.now());
    db.close();
    const server = await startServer({ dir, env: { LIGHTFLOW_ADMIN_EMAIL: "old@example.com" } });
    servers.push(server);
    await server.waitForLine(/task friday is not scheduled: .*"5#3" in day-of-week/);
    expect((await request(server.url, "POST", "/api/auth/setup-link")).status).toBe(202);
    const link = await linkFor(server, "old@example.com");
    const set = await request(server.url, "POST", "/api/auth/set-password", { token: tokenOfLink(link), password: "an old admin password" });
    const cookie = cookieOf(set);
    const grid = await (await request(server.url, "GET", "/api/tasks", undefined, { cookie })).json();
    expect(grid.find((t: any) => t.name === "friday").next_fire_at).toBeNull();
    expect(grid.find((t: any) => t.name === "hourly").next_fire_at).not.toBeNull();
    // switching it on again says what is wrong instead of failing
    const r = await request(server.url, "PATCH", `/api/tasks/${old.id}`, { enabled: true, description: "x" }, { cookie });
    expect(r.status).toBe(422);
    expect((await r.json()).field).toBe("cron");
    expect((await request(server.url, "PATCH", `/api/tasks/${old.id}`, { cron: "0 0 15-21 * 5" }, { cookie })).status).toBe(200);
    expect(await server.stop()).toBe(0);
  });
});
