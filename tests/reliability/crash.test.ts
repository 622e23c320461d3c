// kill -9 of the server at random moments under load, again and again: the
// database stays whole, no run stays running, no step process survives, every
// interrupted run's always step ran once, and no run ever ran twice.
import { afterAll, expect, test } from "bun:test";
import { storeOf } from "../helpers/store.ts";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startApi, type Api } from "../helpers/api.ts";
import { processesWith } from "../helpers/procs.ts";
import { startServer, type ServerProcess } from "../helpers/server.ts";
import { pick, prng } from "../helpers/soak.ts";

const ROUNDS = pick(4, 20);
const TASKS = 6;
const seed = Number(process.env.LIGHTFLOW_SEED ?? Date.now() % 100_000);
const random = prng(seed);
const marker = `crash${seed}`;
const env = { LIGHTFLOW_GLOBAL_CONCURRENCY: "2", LIGHTFLOW_KILL_GRACE_S: "1" };

let api: Api;
let current: ServerProcess;
afterAll(async () => {
  current?.cleanup();
});

const lines = (file: string): string[] => {
  try {
    return readFileSync(file, "utf8").split("\n").filter(Boolean);
  } catch {
    return [];
  }
};

test(`${ROUNDS} crashes under load lose nothing (seed ${seed})`, async () => {
  api = await startApi({ env });
  const dir = api.server.dir;
  current = api.server;
  await api.json("POST", "/api/variables", { key: "CRASH_MARKER", value: marker });
  // each run notes its start, works a little, and its always step notes the run id
  const work = `echo "$LIGHTFLOW_RUN_ID" >> "$LIGHTFLOW_DATA_DIR/started.log"; sleep 0.$((RANDOM % 4 + 1))`;
  const always = `echo "$LIGHTFLOW_RUN_ID" >> "$LIGHTFLOW_DATA_DIR/always.log"`;
  for (let i = 0; i < TASKS; i++) {
    await api.json("POST", "/api/tasks", {
      name: `load${i}`,
      steps: [
        { name: "work", command: "bash", args: ["-c", work] },
        { name: "restore", command: "bash", args: ["-c", always], run_rule: "always" },
      ],
    });
  }
  const call = (url: string, method: string, path: string) =>
    fetch(url + path, { method, headers: { authorization: `Bearer ${api.token}` } }).catch(() => null);

  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < TASKS; i++) await call(current.url, "POST", `/api/tasks/load${i}/runs`);
    await Bun.sleep(Math.floor(random() * 600)); // a random moment: this is the fault being injected, not a wait for an event
    await current.kill9();
    current = await startServer({ dir, env });
  }

  // let the last server finish everything that is queued or was interrupted
  const db = await storeOf(dir);
  const live = () => db.query<{ id: number }, []>("SELECT id FROM runs WHERE status IN ('queued', 'running')").all().map((r) => r.id);
  for (const id of live()) await current.waitForLine(new RegExp(`run ${id} of load\\d+ (ended|recovered, ended)`));
  db.close();
  expect(await current.stop()).toBe(0);

  const check = await storeOf(dir);
  if (check.dialect === "sqlite") expect(check.query<{ integrity_check: string }, []>("PRAGMA integrity_check").get()!.integrity_check).toBe("ok");
  const runs = check.query<{ id: number; status: string }, []>("SELECT id, status FROM runs").all();
  const steps = check.query<{ run_id: number; position: number; status: string; error: string | null }, []>("SELECT run_id, position, status, error FROM step_runs").all();
  check.close();

  expect(runs.length).toBeGreaterThanOrEqual(TASKS);
  expect(runs.filter((r) => !["success", "failed", "cancelled"].includes(r.status))).toEqual([]);
  const started = lines(join(dir, "started.log"));
  const restored = lines(join(dir, "always.log"));
  // no run ever executed its work twice, and every run that worked is recorded as such
  const twice = started.filter((id, i) => started.indexOf(id) !== i);
  if (twice.length) console.error("ran twice:", twice, JSON.stringify(runs.filter((r) => twice.includes(String(r.id)))), JSON.stringify(steps.filter((s) => twice.includes(String(s.run_id)))), current.output().split("\n").filter((l) => twice.some((id) => l.includes(`run ${id} `))));
  expect(started.length).toBe(new Set(started).size);
  expect(restored.length).toBe(new Set(restored).size);
  for (const r of runs) {
    const [work, restore] = [steps.find((s) => s.run_id === r.id && s.position === 1)!, steps.find((s) => s.run_id === r.id && s.position === 2)!];
    if (work.status === "success") expect(started).toContain(String(r.id));
    // whatever happened to the work, the always step ran (once): to its end, or until a crash cut it short
    const cutShort = restore.status === "failed" && restore.error?.startsWith("interrupted");
    expect([r.id, restore.status === "success" || cutShort]).toEqual([r.id, true]);
    if (!cutShort) expect(restored).toContain(String(r.id));
    if (work.error?.startsWith("interrupted")) expect(r.status).toBe("failed");
  }
  expect(processesWith("CRASH_MARKER", marker)).toEqual([]);
}, 240_000);
