// Backup while the server runs (API and CLI), restore into an empty data
// directory, and a restored server that has everything back.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runEnded, startApi, type Api } from "./helpers/api.ts";
import { tempDir } from "./helpers/engine.ts";
import { runCli, startServer } from "./helpers/server.ts";

const MAIN = join(import.meta.dir, "..", "server", "main.ts");

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
/** temporary directories of this file, removed at the end (extracted archives, fresh data directories) */
const made: string[] = [out];
const scratch = (prefix?: string) => {
  const d = tempDir(prefix);
  made.push(d);
  return d;
};
afterAll(async () => {
  await api?.close();
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

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

  const fresh = join(scratch(), "data");
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
  const fresh = join(scratch(), "data");
  expect((await runCli(["restore", dbFile], { LIGHTFLOW_DATA_DIR: fresh })).code).toBe(0);
  expect(existsSync(join(fresh, "lightflow.db"))).toBe(true);

  const garbage = join(out, "garbage.bin");
  writeFileSync(garbage, "this is not a backup at all".repeat(50));
  const g = await runCli(["restore", garbage], { LIGHTFLOW_DATA_DIR: join(scratch(), "data") });
  expect(g.code).toBe(1);
  expect(g.err).toContain("not a Lightflow backup");

  const evilDir = scratch();
  mkdirSync(join(evilDir, "x"));
  writeFileSync(join(evilDir, "x", "evil"), "pwned");
  const evil = join(out, "evil.tar");
  Bun.spawnSync(["tar", "-cf", evil, "-C", evilDir, "--transform", "s,^x/,../../,", "x/evil"]);
  const target = join(scratch(), "data");
  const e = await runCli(["restore", evil], { LIGHTFLOW_DATA_DIR: target });
  expect(e.code).toBe(1);
  expect(e.err).toContain("outside the data directory");
});

// ---- long names, symlinks, temporary files, modes (issue 14, items 10 and 15) ----

const tarList = (file: string) => Bun.spawnSync(["tar", "-tvf", file]).stdout.toString();
function tarExtract(file: string): string {
  const dir = scratch("lightflow-backups-x-");
  const r = Bun.spawnSync(["tar", "-xf", file, "-C", dir], { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`tar -xf: ${r.stderr.toString()}`);
  return dir;
}
async function download(path: string, name: string): Promise<string> {
  const res = await api.call("GET", path);
  expect(res.status).toBe(200);
  const file = join(out, name);
  writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  return file;
}
/** What a backup could leave behind: its work directory in the data directory, or (before) a copy in the system temp directory. */
const leftovers = () => ({
  data: readdirSync(api.server.dir).sort(),
  tmp: readdirSync(tmpdir()).filter((n) => n.startsWith("lightflow-backup-")),
});
/** Backup files the server still holds open after their names are gone. */
const openBackups = () => {
  const fds = `/proc/${api.server.proc.pid}/fd`;
  return readdirSync(fds).flatMap((fd) => {
    try {
      const target = readlinkSync(join(fds, fd));
      return target.includes(".backup-") || target.includes("lightflow-backup-") ? [target] : [];
    } catch {
      return [];
    }
  });
};
/** The CLI under umask 022, as a service started by hand would have it. */
async function cliUmask022(args: string[]): Promise<{ code: number; err: string }> {
  const p = Bun.spawn(["sh", "-c", 'umask 022 && exec "$@"', "sh", "bun", MAIN, ...args], {
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? "/root", LIGHTFLOW_DATA_DIR: api.server.dir },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [err, code] = await Promise.all([new Response(p.stderr).text(), p.exited]);
  return { code, err };
}

test("script names of 150 and 255 characters and a deep long path round-trip through the backup tar", async () => {
  const names = ["a".repeat(147) + ".sh", "b".repeat(252) + ".sh", `${"c".repeat(200)}/${"d".repeat(200)}/${"e".repeat(250)}.txt`];
  for (const n of names) expect((await api.call("PUT", `/api/scripts/${n}`, `# ${n.length}\n`, { "content-type": "text/plain" })).status).toBeLessThan(300);
  try {
    const file = await download("/api/backup?logs=1", "long.tar");
    const listing = tarList(file);
    const back = tarExtract(file);
    for (const n of names) {
      expect(listing).toContain(`scripts/${n}`);
      expect(readFileSync(join(back, "scripts", n), "utf8")).toBe(`# ${n.length}\n`);
    }
    // and restore reads them back
    const fresh = join(scratch(), "data");
    expect((await runCli(["restore", file], { LIGHTFLOW_DATA_DIR: fresh })).code).toBe(0);
    for (const n of names) expect(readFileSync(join(fresh, "scripts", n), "utf8")).toBe(`# ${n.length}\n`);
  } finally {
    rmSync(join(api.server.dir, "scripts", names[0]!));
    rmSync(join(api.server.dir, "scripts", names[1]!));
    rmSync(join(api.server.dir, "scripts", "c".repeat(200)), { recursive: true });
  }
});

test("symlinks are archived as symlinks: a loop, /etc/passwd and a file outside are never followed or read", async () => {
  const scripts = join(api.server.dir, "scripts");
  const outside = scratch("lightflow-backups-outside-");
  writeFileSync(join(outside, "secret.txt"), "outside-secret-9731");
  const links: Record<string, string> = { loop: ".", "loop-up": "..", passwd: "/etc/passwd", "outside-file": join(outside, "secret.txt"), "outside-dir": outside, dangling: "gone/away" };
  for (const [name, target] of Object.entries(links)) symlinkSync(target, join(scripts, name));
  try {
    const viaApi = await download("/api/backup?logs=1", "links.tar");
    const viaCli = join(out, "links-cli.tar");
    expect((await runCli(["backup", viaCli, "--logs"], { LIGHTFLOW_DATA_DIR: api.server.dir })).code).toBe(0);
    for (const file of [viaApi, viaCli]) {
      const bytes = readFileSync(file, "latin1");
      expect(bytes).not.toContain("outside-secret-9731");
      expect(bytes).not.toContain("root:x:0:0");
      const listing = tarList(file);
      for (const [name, target] of Object.entries(links)) expect(listing).toMatch(new RegExp(`^l.* scripts/${name} -> ${target.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`, "m"));
      const back = tarExtract(file);
      for (const [name, target] of Object.entries(links)) {
        expect(lstatSync(join(back, "scripts", name)).isSymbolicLink()).toBe(true);
        expect(readlinkSync(join(back, "scripts", name))).toBe(target);
      }
      expect(readFileSync(join(back, "scripts", "hello.sh"), "utf8")).toContain("hello from a script");
    }
    // restore makes them again, as links
    const fresh = join(scratch(), "data");
    expect((await runCli(["restore", viaApi], { LIGHTFLOW_DATA_DIR: fresh })).code).toBe(0);
    for (const [name, target] of Object.entries(links)) expect(readlinkSync(join(fresh, "scripts", name))).toBe(target);
  } finally {
    for (const name of Object.keys(links)) rmSync(join(scripts, name));
  }
});

test("a backup leaves no temporary file or database copy behind, in the temp directory or the data directory", async () => {
  const before = leftovers();
  await download("/api/backup", "clean.db");
  await download("/api/backup?logs=1", "clean.tar");
  expect((await runCli(["backup", join(out, "clean-cli.db")], { LIGHTFLOW_DATA_DIR: api.server.dir })).code).toBe(0);
  expect((await runCli(["backup", join(out, "clean-cli.tar"), "--logs"], { LIGHTFLOW_DATA_DIR: api.server.dir })).code).toBe(0);
  expect(leftovers()).toEqual(before);
  expect(openBackups()).toEqual([]);
});

test("what a backup killed midway left in the data directory is removed by the next one", async () => {
  const dead = Bun.spawn(["true"]);
  await dead.exited;
  const stale = join(api.server.dir, `.backup-${dead.pid}-XyZ123`);
  mkdirSync(stale);
  writeFileSync(join(stale, "lightflow.db"), "a half-made copy");
  const live = join(api.server.dir, `.backup-${process.pid}-AbC456`); // a process that still runs: its backup is under way
  mkdirSync(live);
  try {
    await download("/api/backup", "sweep.db");
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(live)).toBe(true);
  } finally {
    rmSync(live, { recursive: true, force: true });
  }
});

test("a backup that fails answers a JSON error before any byte, and leaves nothing behind", async () => {
  // deeper than PATH_MAX: no path-based call can reach the bottom, so the walk fails
  const deep = join(api.server.dir, "scripts", "deep");
  const seg = "x".repeat(200);
  const before = leftovers();
  try {
    // bash: dash's cd refuses once $PWD is longer than PATH_MAX
    const made = Bun.spawnSync(["bash", "-c", `mkdir "$1" && cd "$1" && for i in $(seq 25); do mkdir ${seg} && cd ${seg}; done && echo bottom > f`, "bash", deep]);
    expect(made.exitCode).toBe(0);
    const res = await api.call("GET", "/api/backup?logs=1");
    expect(res.status).toBe(500);
    expect(res.headers.get("content-type")).toContain("application/json");
    const body = await res.json();
    expect(leftovers()).toEqual(before);
    expect(body.error).toMatch(/^the backup failed and nothing was sent: /);
    const file = join(out, "failed-cli.tar");
    const cli = await runCli(["backup", file, "--logs"], { LIGHTFLOW_DATA_DIR: api.server.dir });
    expect(cli.code).toBe(1);
    expect(cli.err).toContain("backup failed, nothing was written");
    expect(existsSync(file)).toBe(false);
    expect(leftovers()).toEqual(before);
    expect(openBackups()).toEqual([]);
    // the database alone does not walk the scripts: it still works
    await download("/api/backup", "while-deep.db");
  } finally {
    Bun.spawnSync(["rm", "-rf", deep]);
  }
});

test("a download the client abandons leaves no file and no open descriptor on the server", async () => {
  const big = join(api.server.dir, "scripts", "big.bin");
  writeFileSync(big, Buffer.alloc(64 << 20, 7)); // far more than the socket buffers hold
  try {
    const ac = new AbortController();
    const res = await fetch(`${api.url}/api/backup?logs=1`, { headers: { authorization: `Bearer ${api.token}` }, signal: ac.signal });
    expect(res.status).toBe(200);
    await res.body!.getReader().read();
    // the archive is being sent from a file whose name is gone already
    expect(openBackups()).toEqual([expect.stringMatching(/\.backup-.*\(deleted\)$/)]);
    expect(leftovers().data.filter((n) => n.startsWith(".backup-"))).toEqual([]);
    ac.abort();
    // the server notices the closed socket on its next write; bounded wait
    for (let i = 0; i < 100 && openBackups().length; i++) await Bun.sleep(50);
    expect(openBackups()).toEqual([]);
  } finally {
    rmSync(big);
  }
});

test("the CLI writes backups 0600 under umask 022, and a restored database is 0600 whatever the backup's mode", async () => {
  const db = join(out, "mode.db");
  const tar = join(out, "mode.tar");
  expect((await cliUmask022(["backup", db])).code).toBe(0);
  expect((await cliUmask022(["backup", tar, "--logs"])).code).toBe(0);
  expect((statSync(db).mode & 0o777).toString(8)).toBe("600");
  expect((statSync(tar).mode & 0o777).toString(8)).toBe("600");
  expect(tarList(tar)).toMatch(/^-rw------- .* lightflow\.db$/m);
  chmodSync(db, 0o644); // as older versions wrote it
  for (const file of [db, tar]) {
    const fresh = join(scratch(), "data");
    expect((await runCli(["restore", file], { LIGHTFLOW_DATA_DIR: fresh })).code).toBe(0);
    expect((statSync(join(fresh, "lightflow.db")).mode & 0o777).toString(8)).toBe("600");
  }
});
