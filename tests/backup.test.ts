// Backup while the server runs (API and CLI), restore into an empty data
// directory, and a restored server that has everything back.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runEnded, startApi, type Api } from "./helpers/api.ts";
import { tempDir } from "./helpers/engine.ts";
import { runCli, startServer } from "./helpers/server.ts";

let api: Api;
let runId: number;
const out = tempDir("lightflow-backups-");

beforeAll(async () => {
  api = await startApi();
  await api.call("PUT", "/api/scripts/hello.sh", "#!/bin/sh\necho hello from a script\n", { "content-type": "text/plain" });
  await api.json("POST", "/api/tasks", { name: "kept", cron: "0 4 * * *", steps: [{ name: "s", command: "./hello.sh" }] });
  runId = (await api.json("POST", "/api/tasks/kept/runs")).body.id;
  await runEnded(api, runId);
});
afterAll(async () => api?.close());

test("GET /api/backup gives a consistent SQLite snapshot, ?logs=1 a tar with scripts and logs", async () => {
  const db = await api.call("GET", "/api/backup");
  expect(db.status).toBe(200);
  expect(db.headers.get("content-disposition")).toMatch(/attachment; filename="lightflow-.*\.db"/);
  const bytes = Buffer.from(await db.arrayBuffer());
  expect(bytes.subarray(0, 16).toString("latin1")).toBe("SQLite format 3\0");
  const tar = await api.call("GET", "/api/backup?logs=1");
  expect(tar.headers.get("content-type")).toBe("application/x-tar");
  const file = join(out, "api.tar");
  writeFileSync(file, Buffer.from(await tar.arrayBuffer()));
  const listing = Bun.spawnSync(["tar", "-tf", file]).stdout.toString();
  expect(listing).toContain("lightflow.db");
  expect(listing).toContain("scripts/hello.sh");
  expect(listing).toContain(`logs/kept/${runId}/1-s.log`);
  const viewer = await api.user("backup-viewer@example.com", "viewer");
  expect((await fetch(`${api.url}/api/backup`, { headers: { authorization: `Bearer ${viewer.token}` } })).status).toBe(403);
});

test("the CLI backs up while the server runs, and restore brings everything back into an empty directory", async () => {
  const env = { LIGHTFLOW_DATA_DIR: api.server.dir };
  const tar = join(out, "cli.tar");
  const made = await runCli(["backup", tar, "--logs"], env);
  expect(made.code).toBe(0);
  expect((await runCli(["backup", tar, "--logs"], env)).code).toBe(1); // never overwrites

  const fresh = join(tempDir(), "data");
  const restored = await runCli(["restore", tar], { LIGHTFLOW_DATA_DIR: fresh });
  expect(restored.code).toBe(0);
  expect(restored.out).toContain("restored");
  expect(readFileSync(join(fresh, "scripts", "hello.sh"), "utf8")).toContain("hello from a script");

  const again = await startServer({ dir: fresh });
  try {
    const res = await fetch(`${again.url}/api/runs/${runId}/steps/1/log`, { headers: { authorization: `Bearer ${api.token}` } });
    expect(await res.text()).toBe("hello from a script\n");
    const task = await (await fetch(`${again.url}/api/tasks/kept`, { headers: { authorization: `Bearer ${api.token}` } })).json();
    expect(task.cron).toBe("0 4 * * *");
  } finally {
    await again.stop();
  }
  // restoring over existing data is refused
  const twice = await runCli(["restore", tar], { LIGHTFLOW_DATA_DIR: fresh });
  expect(twice.code).toBe(1);
  expect(twice.err).toContain("the data directory must be empty");
});

test("a plain database backup restores too; garbage and unsafe archives are refused", async () => {
  const dbFile = join(out, "plain.db");
  expect((await runCli(["backup", dbFile], { LIGHTFLOW_DATA_DIR: api.server.dir })).code).toBe(0);
  const fresh = join(tempDir(), "data");
  expect((await runCli(["restore", dbFile], { LIGHTFLOW_DATA_DIR: fresh })).code).toBe(0);
  expect(existsSync(join(fresh, "lightflow.db"))).toBe(true);

  const garbage = join(out, "garbage.bin");
  writeFileSync(garbage, "this is not a backup at all".repeat(50));
  const g = await runCli(["restore", garbage], { LIGHTFLOW_DATA_DIR: join(tempDir(), "data") });
  expect(g.code).toBe(1);
  expect(g.err).toContain("not a Lightflow backup");

  const evilDir = tempDir();
  mkdirSync(join(evilDir, "x"));
  writeFileSync(join(evilDir, "x", "evil"), "pwned");
  const evil = join(out, "evil.tar");
  Bun.spawnSync(["tar", "-cf", evil, "-C", evilDir, "--transform", "s,^x/,../../,", "x/evil"]);
  const target = join(tempDir(), "data");
  const e = await runCli(["restore", evil], { LIGHTFLOW_DATA_DIR: target });
  expect(e.code).toBe(1);
  expect(e.err).toContain("outside the data directory");
});
