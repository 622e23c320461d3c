// A second process on one data directory: a second server must not start while
// a live one holds the directory (it would take the live server's running run
// for a crashed one, kill its step and alert), and the hold dies with the
// holder, however it dies, so a restart after kill -9 is never refused.
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { openDatabase } from "../../server/db/index.ts";
import { SqlRunStore as RunStore } from "../../server/db/runs.ts";
import { SqlTaskStore as TaskStore } from "../../server/db/tasks.ts";
import { sh, taskDef, tempDir } from "../helpers/engine.ts";
import { waitForFile } from "../helpers/files.ts";
import { runCli, startServer, type ServerProcess } from "../helpers/server.ts";
import { processesWith } from "../helpers/procs.ts";

let servers: ServerProcess[] = [];
afterEach(async () => {
  for (const s of servers) {
    if (s.proc.exitCode === null && !s.proc.killed) await s.stop();
    s.cleanup();
  }
  servers = [];
});

/** A data directory with one queued run of a task whose step runs until it is killed. */
function seed(dir: string, marker: string): number {
  const db = openDatabase(join(dir, "lightflow.db"));
  const task = new TaskStore(db).insert(taskDef("long", [sh("work", `touch "$LIGHTFLOW_DATA_DIR/started"; MARK=${marker} sleep 300`)]), Date.now());
  const run = new RunStore(db).insertQueued(task, "manual", null, null, Date.now())!;
  db.close();
  return run.id;
}

function runStatus(dir: string, id: number): string {
  const db = openDatabase(join(dir, "lightflow.db"));
  try {
    return new RunStore(db).get(id)!.status;
  } finally {
    db.close();
  }
}

/** A server running a run whose step runs until it is killed. */
async function serverWithLiveRun() {
  const dir = tempDir();
  const marker = `m${Math.random().toString(36).slice(2)}`;
  const runId = seed(dir, marker);
  const server = await startServer({ dir });
  servers.push(server);
  await waitForFile(join(dir, "started"));
  return { dir, marker, runId, server };
}

/** Starts a server that is expected to refuse: its exit code and what it printed. */
async function refusedStart(dir: string): Promise<{ code: number; out: string }> {
  const proc = Bun.spawn(["bun", join(import.meta.dir, "..", "..", "server", "main.ts"), "serve"], {
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? "/root", LIGHTFLOW_DATA_DIR: dir, LIGHTFLOW_BIND: "127.0.0.1:0", LIGHTFLOW_TIMEZONE: "UTC" },
    stdout: "pipe",
    stderr: "pipe",
    stdin: "ignore",
  });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, out: out + err };
}

describe("one live server per data directory", () => {
  test("a second server refuses to start and leaves the live server's run alone", async () => {
    const { dir, marker, runId, server: first } = await serverWithLiveRun();
    const second = await refusedStart(dir);
    expect(second.code).toBe(2);
    expect(second.out).toContain(`LIGHTFLOW_DATA_DIR: another Lightflow server (pid ${first.proc.pid}) is running on ${dir}`);
    expect(second.out).not.toContain("recovered");
    // the live run goes on: its step alive, the run still running, nothing recorded as crashed
    expect(processesWith("MARK", marker).length).toBeGreaterThan(0);
    expect(runStatus(dir, runId)).toBe("running");
    expect(first.output()).not.toContain("interrupted");
  });

  test("the hold dies with the holder: after kill -9 the next server starts and recovers the run", async () => {
    const { dir, marker, runId, server: first } = await serverWithLiveRun();
    await first.kill9();

    const second = await startServer({ dir });
    servers.push(second);
    await second.waitForLine(new RegExp(`run ${runId} of long recovered`));
    expect(processesWith("MARK", marker)).toEqual([]);
  });

  test("a stopped server leaves nothing that refuses the next; commands that change the database ask the live one", async () => {
    const dir = tempDir();
    const first = await startServer({ dir });
    servers.push(first);
    const file = join(tempDir(), "setup.json");
    expect((await runCli(["export", file], { LIGHTFLOW_DATA_DIR: dir })).code).toBe(0); // reading is fine beside it
    const refused = await runCli(["import", file], { LIGHTFLOW_DATA_DIR: dir });
    expect(refused.err).toContain(`(pid ${first.proc.pid}) is running`);
    expect(await first.stop()).toBe(0);
    const next = await startServer({ dir });
    servers.push(next);
    expect(await next.stop()).toBe(0);
  });
});
