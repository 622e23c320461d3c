// Hostile symlinks in the scripts and logs directories, against every walker
// of them the server has: the script list and editor, the backup (database,
// scripts and logs), the setup export, and the removal of a task's logs.
// Each answer must come in time, without a 5xx and without a byte from outside.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { runEnded, startApi, type Api } from "../helpers/api.ts";
import { tempDir } from "../helpers/engine.ts";

const SECRET = "outside-secret-5521";
const PASSWD = "root:x:0:0";
/** A hang is a failure: every request is cut off after this. */
const LIMIT_MS = 20_000;

let api: Api;
let outside: string;
let work: string;
/** name below scripts/ → link target, for every link planted */
const links: Record<string, string> = {};

function plant(scripts: string): void {
  writeFileSync(join(scripts, "hello.sh"), "#!/bin/sh\necho hello\n");
  mkdirSync(join(scripts, "sub"));
  writeFileSync(join(scripts, "sub", "inner.sh"), "#!/bin/sh\necho inner\n");
  const add = (name: string, target: string) => {
    symlinkSync(target, join(scripts, name));
    links[name] = target;
  };
  // loops
  add("loop", ".");
  add("up", "..");
  add("sub/back", "..");
  add("self", "self");
  add("ping", "pong");
  add("pong", "ping");
  // out of the directory
  add("passwd", "/etc/passwd");
  add("etc", "/etc");
  add("outfile", join(outside, "secret.txt"));
  add("outdir", outside);
  add("relative-out", relative(scripts, join(outside, "secret.txt")));
  // nowhere, through a file, too many hops
  add("dangling", "no/such/file");
  add("notdir", "hello.sh/x");
  for (let i = 0; i < 45; i++) add(`chain${i}`, i === 44 ? "hello.sh" : `chain${i + 1}`);
  // deep nesting with a way back to the top at the bottom
  const deep = Array.from({ length: 60 }, (_, i) => `level${i}`).join("/");
  mkdirSync(join(scripts, deep), { recursive: true });
  writeFileSync(join(scripts, deep, "bottom.sh"), "#!/bin/sh\n");
  add(`${deep}/top`, "../".repeat(60));
  add(`${deep}/out`, outside);
  // a FIFO: whoever opens it to read waits for a writer that never comes
  Bun.spawnSync(["mkfifo", join(scripts, "fifo")]);
}

const call = (method: string, path: string) => fetch(`${api.url}${path}`, { method, headers: { authorization: `Bearer ${api.token}` }, signal: AbortSignal.timeout(LIMIT_MS) });

beforeAll(async () => {
  api = await startApi();
  work = tempDir("lightflow-symlinks-");
  outside = join(work, "outside");
  mkdirSync(outside);
  writeFileSync(join(outside, "secret.txt"), SECRET);
  plant(join(api.server.dir, "scripts"));
  // logs too: a task's log directory with links out, and a link where a task's logs would go
  await api.json("POST", "/api/tasks", { name: "t", steps: [{ name: "s", command: "echo", args: ["logged"] }] });
  const run = (await api.json("POST", "/api/tasks/t/runs")).body.id;
  await runEnded(api, run);
  symlinkSync(outside, join(api.server.dir, "logs", "t", String(run), "escape"));
  symlinkSync("/etc/passwd", join(api.server.dir, "logs", "t", "pw.log"));
  symlinkSync(outside, join(api.server.dir, "logs", "ghost"));
}, 60_000);

afterAll(async () => {
  await api?.close();
  rmSync(work, { recursive: true, force: true });
});

test("the script list answers, lists what is inside once, and nothing that leads out", async () => {
  const res = await call("GET", "/api/scripts");
  expect(res.status).toBe(200);
  const paths = ((await res.json()) as { path: string }[]).map((e) => e.path);
  expect(paths).toContain("hello.sh");
  expect(paths).toContain("sub/inner.sh");
  expect(paths.some((p) => p.endsWith("level59/bottom.sh"))).toBe(true);
  for (const p of paths) expect(p.split("/")[0]).not.toMatch(/^(passwd|etc|outfile|outdir|relative-out|dangling|notdir|self|ping|pong|fifo)$/);
  expect(new Set(paths).size).toBe(paths.length);
  expect(JSON.stringify(paths)).not.toContain("secret.txt");
});

test("opening each planted link in the editor is refused or served from inside, never a 5xx or a byte from outside", async () => {
  for (const name of [...Object.keys(links), "fifo", "outdir/secret.txt", "etc/passwd", "loop/loop/loop/hello.sh"]) {
    const res = await call("GET", `/api/scripts/${name}`);
    const body = await res.text();
    expect([name, res.status < 500]).toEqual([name, true]);
    expect(body).not.toContain(SECRET);
    expect(body).not.toContain(PASSWD);
  }
});

test("the backup with logs stores every link as a link and reads nothing outside", async () => {
  const res = await call("GET", "/api/backup?logs=1");
  expect(res.status).toBe(200);
  const file = join(work, "backup.tar");
  writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  const bytes = readFileSync(file, "latin1");
  expect(bytes).not.toContain(SECRET);
  expect(bytes).not.toContain(PASSWD);
  const back = join(work, "extracted");
  mkdirSync(back);
  const x = Bun.spawnSync(["tar", "-xf", file, "-C", back], { stderr: "pipe" });
  expect(x.stderr.toString()).toBe("");
  for (const [name, target] of Object.entries(links)) {
    const p = join(back, "scripts", name);
    expect([name, lstatSync(p).isSymbolicLink() && readlinkSync(p)]).toEqual([name, target]);
  }
  expect(readlinkSync(join(back, "logs", "ghost"))).toBe(outside);
  expect(readlinkSync(join(back, "logs", "t", "pw.log"))).toBe("/etc/passwd");
  expect(existsSync(join(back, "scripts", "fifo"))).toBe(false);
  expect(readFileSync(join(back, "scripts", "sub", "inner.sh"), "utf8")).toContain("inner");
});

test("the database backup and the setup export answer", async () => {
  expect((await call("GET", "/api/backup")).status).toBe(200);
  expect((await call("GET", "/api/export")).status).toBe(200);
});

test("deleting a task removes its logs, and the links in them, not what they point to", async () => {
  expect((await call("DELETE", "/api/tasks/t")).status).toBeLessThan(300);
  expect(existsSync(join(api.server.dir, "logs", "t"))).toBe(false);
  expect(readFileSync(join(outside, "secret.txt"), "utf8")).toBe(SECRET);
  expect(existsSync("/etc/passwd")).toBe(true);
});
