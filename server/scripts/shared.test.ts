// The scripts of a cluster without its messages: two nodes' directories over
// one store (SQLite here; tests/cluster-share.test.ts runs it on PostgreSQL).
// A node that never hears a change still runs the newest script, because a
// step's start reads the version first (a message still on its way changes nothing).
import { afterEach, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../config.ts";
import { openDatabase, openStores } from "../db/index.ts";
import { SqlScriptStore } from "../db/scripts.ts";
import { Engine } from "../engine/index.ts";
import { tempDir } from "../../tests/helpers/tmp.ts";
import { checkPath, type ScriptPath } from "./paths.ts";
import { ScriptFiles } from "./service.ts";
import { SharedScripts } from "./shared.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const p = (s: string) => (checkPath(s) as { path: ScriptPath }).path;
const text = (s: string) => new TextEncoder().encode(s);

function cluster() {
  const root = tempDir();
  dirs.push(root);
  const store = new SqlScriptStore(openDatabase(join(root, "shared.db")));
  const heard: number[] = [];
  const node = (name: string) => {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    const files = new ScriptFiles({ dir, env: { PATH: process.env.PATH! } });
    return { dir, files, shared: new SharedScripts(files, store, (v) => heard.push(v)) };
  };
  return { store, heard, node };
}

test("the first node's files seed the store; the next node gets them, its own files stay its own", async () => {
  const c = cluster();
  const a = c.node("a");
  writeFileSync(join(a.dir, "run.sh"), "#!/bin/sh\necho a\n", { mode: 0o750 });
  await a.shared.start();
  const b = c.node("b");
  writeFileSync(join(b.dir, "local.txt"), "b only\n");
  await b.shared.start();
  expect(readFileSync(join(b.dir, "run.sh"), "utf8")).toBe("#!/bin/sh\necho a\n");
  expect(statSync(join(b.dir, "run.sh")).mode & 0o777).toBe(0o750);
  expect(c.store.since(0).map((r) => r.path)).toEqual(["run.sh"]);
});

test("a change made on one node is written on the other before its next step, without any message", async () => {
  const c = cluster();
  const a = c.node("a");
  const b = c.node("b");
  await a.shared.start();
  await b.shared.start();
  expect(b.shared.ready()).toBeNull();
  await a.shared.save(p("tools/x.sh"), text("#!/bin/sh\necho one\n"));
  expect(c.heard).toEqual([1]);
  const behind = b.shared.ready();
  expect(behind).not.toBeNull();
  await behind;
  expect(readFileSync(join(b.dir, "tools/x.sh"), "utf8")).toBe("#!/bin/sh\necho one\n");
  expect(b.shared.ready()).toBeNull();

  // renamed and deleted on b: a catches up the same way
  expect(await b.shared.rename(p("tools"), p("bin"))).toBe(true);
  expect(await b.shared.remove(p("bin/x.sh"))).toBe(true);
  await a.shared.save(p("keep.sh"), text("echo keep\n")); // a is behind: its own change leaves the catch-up to come
  await a.shared.ready();
  expect(existsSync(join(a.dir, "tools/x.sh"))).toBe(false);
  expect(existsSync(join(a.dir, "bin/x.sh"))).toBe(false);
  expect(readFileSync(join(a.dir, "keep.sh"), "utf8")).toBe("echo keep\n");
});

test("a node that was down deletes at its start what was deleted meanwhile", async () => {
  const c = cluster();
  const a = c.node("a");
  await a.shared.start();
  await a.shared.save(p("old.sh"), text("echo old\n"));
  const b = c.node("b");
  writeFileSync(join(b.dir, "old.sh"), "echo old\n"); // b's copy from before it stopped
  await a.shared.remove(p("old.sh"));
  await b.shared.start();
  expect(existsSync(join(b.dir, "old.sh"))).toBe(false);
});

test("a step waits for the scripts: the engine asks before every process it starts", async () => {
  const c = cluster();
  const a = c.node("a");
  const data = tempDir();
  dirs.push(data);
  const config = loadConfig({ PATH: process.env.PATH, LIGHTFLOW_DATA_DIR: data, LIGHTFLOW_SCRIPTS_DIR: join(c.node("b").dir), LIGHTFLOW_TIMEZONE: "UTC" });
  const b = new SharedScripts(new ScriptFiles({ dir: config.scriptsDir, env: config.stepEnvBase }), c.store, () => {});
  await a.shared.start();
  await b.start();
  const stores = openStores(join(data, "lightflow.db"));
  const engine = new Engine({ config, stores, beforeStep: () => b.ready() });
  await engine.start();
  try {
    await a.shared.save(p("job.sh"), text("#!/bin/sh\necho newest\n")); // b hears nothing of it
    const task = engine.createTask({ name: "t", description: "", cron: null, enabled: true, pool: null, catchup: false, start_deadline_s: null, alert_emails: [], params: [], after: [], timezone: null,
      steps: [{ name: "s", command: "./job.sh", args: [], run_rule: "on_success", timeout_s: 60, retries: 0, retry_delay_s: 0 }] });
    const ended = new Promise<string>((resolve) => engine.bus.on((e) => e.type === "run" && ["success", "failed"].includes(e.run.status) && resolve(e.run.status)));
    engine.trigger(task, "admin");
    expect(await ended).toBe("success");
  } finally {
    await engine.shutdown();
    stores.close();
  }
});
