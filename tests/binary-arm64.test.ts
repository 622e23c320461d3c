// The README's arm64 claim, run: `bun run build -- --target bun-linux-arm64`
// makes an executable that, copied alone and run under qemu user-mode
// emulation, prints its version, serves the UI, signs in the first admin
// (argon2's arm64 addon) and runs a task, killing a step at its timeout.
// Debian's qemu-user-static, libc6-arm64-cross and libgcc-s1-arm64-cross
// (installed by .ci/run) give the emulator and the arm64 libraries it loads
// from /usr/aarch64-linux-gnu.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, copyFileSync, existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { cookieOf, linkFor, request, tokenOfLink } from "./helpers/api.ts";
import { builtExecutable } from "./helpers/build.ts";
import { tempDir } from "./helpers/engine.ts";
import { startServer, type ServerProcess } from "./helpers/server.ts";

const QEMU = Bun.which("qemu-aarch64-static");
const SYSROOT = "/usr/aarch64-linux-gnu";
/** Each Debian package the test needs, with a file it installs. */
const needed: [pkg: string, file: string | undefined][] = [
  ["qemu-user-static", QEMU ?? undefined],
  ["libc6-arm64-cross", join(SYSROOT, "lib", "ld-linux-aarch64.so.1")],
  // argon2's addon links libgcc_s, which every arm64 Debian has but libc6-arm64-cross does not bring
  ["libgcc-s1-arm64-cross", join(SYSROOT, "lib", "libgcc_s.so.1")],
];
const missing = needed.filter(([, file]) => !file || !existsSync(file)).map(([pkg]) => pkg);
if (missing.length) console.warn(`binary-arm64.test.ts: skipped, Debian package(s) missing: ${missing.join(", ")} (apt-get install ${needed.map(([p]) => p).join(" ")})`);

const EMAIL = "arm@example.com";
let dir: string;
let bin: string;
let server: ServerProcess;
let cookie: string;
let token: string;

/** The arm64 executable under the emulator, with cwd in the test's directory. */
const emulated = (args: string[]) => [QEMU!, "-L", SYSROOT, bin, ...args];

describe.skipIf(missing.length > 0)("the arm64 executable, under qemu", () => {
  beforeAll(async () => {
    const built = await builtExecutable("bun-linux-arm64");
    dir = tempDir("lightflow-arm64-");
    bin = join(dir, "lightflow");
    copyFileSync(built, bin); // alone: the argon2 addon must come from inside it
    chmodSync(bin, 0o755);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("is an arm64 executable that prints its version", async () => {
    const head = new Uint8Array(await Bun.file(bin).slice(0, 20).arrayBuffer());
    expect(new DataView(head.buffer).getUint16(18, true)).toBe(0xb7); // ELF e_machine: EM_AARCH64
    const p = Bun.spawn(emulated(["version"]), { cwd: dir, env: { PATH: process.env.PATH! }, stdout: "pipe", stderr: "pipe" });
    const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toMatch(/^lightflow \d+\.\d+\.\d+ \(commit \S+\) built \d{4}-\d\d-\d\dT/);
  }, 30_000);

  test("serves the embedded UI page and its assets", async () => {
    server = await startServer({ command: emulated(["serve"]), cwd: dir, dir: join(dir, "data"), env: { LIGHTFLOW_ADMIN_EMAIL: EMAIL } });
    const index = await fetch(`${server.url}/`);
    expect(index.headers.get("content-type")).toContain("text/html");
    const html = await index.text();
    expect(html).toContain("<title>Lightflow</title>");
    const js = await fetch(server.url + /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toContain("javascript");
    expect((await js.arrayBuffer()).byteLength).toBeGreaterThan(1000);
  }, 60_000);

  test("the first-run setup link sets the admin's password (argon2's arm64 addon)", async () => {
    expect((await request(server.url, "POST", "/api/auth/setup-link")).status).toBe(202);
    const link = await linkFor(server, EMAIL);
    const set = await request(server.url, "POST", "/api/auth/set-password", { token: tokenOfLink(link), password: "arm64 password 1" });
    expect(set.status).toBe(200);
    cookie = cookieOf(set);
    const made = await request(server.url, "POST", "/api/me/tokens", { name: "arm64" }, { cookie });
    token = ((await made.json()) as { token: string }).token;
    expect(token).toBeTruthy();
  }, 60_000);

  test("runs a task: the first step succeeds, the second is killed by its timeout", async () => {
    const auth = { authorization: `Bearer ${token}` };
    const steps = [
      { name: "ok", command: "true" },
      { name: "slow", command: "sleep", args: ["30"], timeout_s: 2 },
    ];
    expect((await request(server.url, "POST", "/api/tasks", { name: "arm-task", steps }, auth)).status).toBe(201);
    const ws = new WebSocket(`${server.url.replace("http", "ws")}/api/events`, { headers: { cookie } } as any);
    const ended = new Promise<any>((resolve) => {
      ws.onmessage = (e) => {
        const m = JSON.parse(String(e.data));
        if (m.type === "run" && m.run.task === "arm-task" && m.run.ended_at) resolve(m.run);
      };
    });
    await new Promise((r) => (ws.onopen = r));
    const started = Date.now();
    const trigger = await request(server.url, "POST", "/api/tasks/arm-task/runs", undefined, auth);
    const { id } = (await trigger.json()) as { id: number };
    const run = await ended;
    ws.close();
    expect(run.id).toBe(id);
    expect(Date.now() - started).toBeLessThan(25_000); // killed at 2 s (plus the kill grace), not after sleep's 30
    const { steps: done } = (await (await request(server.url, "GET", `/api/runs/${id}`, undefined, auth)).json()) as any;
    expect(done.map((s: any) => [s.name, s.status])).toEqual([["ok", "success"], ["slow", "timed_out"]]);
  }, 60_000);
});
