// Python packages against the real server and a real pip, with a package
// index of our own on 127.0.0.1: nothing here reaches any other network.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runEnded, startApi, type Api } from "./helpers/api.ts";
import { tempDir } from "./helpers/engine.ts";

const WHEEL = "lightflow_testpkg-1.0-py3-none-any.whl";
/** venv creation and pip take seconds; the preload's default timeout reaches only the first test file bun runs */
const SLOW = 60_000;
const UPGRADE = { upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version": "13" };

let api: Api;
let indexDir: string;
let index: ReturnType<typeof Bun.spawn>;
let indexUrl: string;

/** A zip archive with its entries stored (not compressed): all a wheel needs. */
function zip(files: [string, string][]): Uint8Array {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of files) {
    const n = Buffer.from(name);
    const data = Buffer.from(text);
    const crc = Bun.hash.crc32(data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x21, 12); // 1980-01-01, the first date zip knows
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(n.length, 26);
    parts.push(local, n, data);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(0x0314, 4); // made by Unix, so the mode below counts
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x21, 14);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(n.length, 28);
    entry.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    entry.writeUInt32LE(offset, 42);
    central.push(entry, n);
    offset += 30 + n.length + data.length;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, dir, end]);
}

function testWheel(): Uint8Array {
  const info = "lightflow_testpkg-1.0.dist-info";
  const files: [string, string][] = [
    ["lightflow_testpkg/__init__.py", "VALUE = 42\n"],
    [`${info}/METADATA`, "Metadata-Version: 2.1\nName: lightflow-testpkg\nVersion: 1.0\nSummary: a package for Lightflow's tests\n"],
    [`${info}/WHEEL`, "Wheel-Version: 1.0\nGenerator: lightflow-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"],
  ];
  const record = files.map(([name, text]) => `${name},sha256=${createHash("sha256").update(text).digest("base64url")},${Buffer.byteLength(text)}`);
  files.push([`${info}/RECORD`, [...record, `${info}/RECORD,,`].join("\n") + "\n"]);
  return zip(files);
}

/** `python3 -m http.server` over a PEP 503 index holding the one wheel; resolves with its port. */
async function serveIndex(): Promise<number> {
  const pkgDir = join(indexDir, "simple", "lightflow-testpkg");
  mkdirSync(pkgDir, { recursive: true });
  const wheel = testWheel();
  writeFileSync(join(pkgDir, WHEEL), wheel);
  const sha = createHash("sha256").update(wheel).digest("hex");
  writeFileSync(join(pkgDir, "index.html"), `<!DOCTYPE html><html><body><a href="${WHEEL}#sha256=${sha}">${WHEEL}</a></body></html>\n`);
  writeFileSync(join(indexDir, "simple", "index.html"), `<!DOCTYPE html><html><body><a href="lightflow-testpkg/">lightflow-testpkg</a></body></html>\n`);
  index = Bun.spawn(["python3", "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", indexDir], {
    stdout: "pipe",
    stderr: "ignore",
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? "/root" },
  });
  // keep reading its output to the end: a pipe closed under it would break the server
  return new Promise<number>((resolve, reject) => {
    let seen = "";
    const decoder = new TextDecoder();
    void (async () => {
      for await (const chunk of index!.stdout as ReadableStream<Uint8Array>) {
        seen += decoder.decode(chunk, { stream: true });
        const m = /port (\d+) /.exec(seen);
        if (m) resolve(Number(m[1]));
      }
      reject(new Error(`the package index did not start: ${seen}`));
    })();
  });
}

/** The job's output as plain text, read until the job ends. */
async function followText(job: string): Promise<string> {
  const res = await api.call("GET", `/api/packages/jobs/${job}?follow=1`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toStartWith("text/plain");
  return res.text();
}

/** Every message of the job's WebSocket, until the server closes it after "end". */
function followSocket(job: string): Promise<any[]> {
  const socket = new WebSocket(`${api.url.replace("http", "ws")}/api/packages/jobs/${job}/ws`, { headers: { authorization: `Bearer ${api.token}` } } as any);
  const messages: any[] = [];
  socket.onmessage = (e) => messages.push(JSON.parse(String(e.data)));
  return new Promise((resolve, reject) => {
    socket.onclose = () => resolve(messages);
    socket.onerror = reject;
  });
}

const jobs = async () => (await api.json("GET", "/api/packages/jobs")).body as { job: string; status: string; action: string; requirement: string }[];

async function runStep(task: string): Promise<{ status: string; log: string }> {
  const run = (await api.json("POST", `/api/tasks/${task}/runs`)).body;
  const { status } = await runEnded(api, run.id);
  const log = await (await api.call("GET", `/api/runs/${run.id}/steps/1/log`)).text();
  return { status, log };
}

beforeAll(async () => {
  indexDir = tempDir("lightflow-index-");
  indexUrl = `http://127.0.0.1:${await serveIndex()}/simple/`;
  // the index answers before pip is pointed at it (pip reports an unreachable index only as "no versions")
  const page = await fetch(`${indexUrl}lightflow-testpkg/`);
  expect(await page.text()).toContain(WHEEL);
  api = await startApi({
    env: {
      PIP_INDEX_URL: indexUrl,
      PIP_CONFIG_FILE: "/dev/null",
      PIP_FIND_LINKS: "",
      PIP_NO_CACHE_DIR: "1",
      PIP_RETRIES: "0",
      PIP_DEFAULT_TIMEOUT: "10",
    },
  });
}, SLOW);
afterAll(async () => {
  await api?.close();
  index?.kill();
  rmSync(indexDir, { recursive: true, force: true });
});

describe("packages API", () => {
  test("the list is empty while there is no venv", async () => {
    expect(await api.json("GET", "/api/packages")).toEqual({ status: 200, body: [] });
    expect(existsSync(join(api.server.dir, "python-libs"))).toBe(false);
  });

  test("every refused requirement form gets 422 and starts no job", async () => {
    const refused = [
      "--index-url=http://evil.example/simple",
      "-e.",
      "-r/etc/passwd",
      "./lightflow_testpkg",
      "/tmp/x.whl",
      "..\\x",
      "x.whl",
      "https://evil.example/x.whl",
      "x @ https://evil.example/x.whl",
      "x@file:///tmp/x",
      "lightflow-testpkg; python_version > '3'",
      "lightflow-testpkg;python_version>'3'",
      "lightflow-testpkg --index-url=http://evil.example",
      " lightflow-testpkg",
      "lightflow-testpkg\n--index-url=http://evil.example",
      "lightflow-testpkg\u0000",
      "lightflow\u00a0testpkg",
      "a".repeat(201),
      "",
      "pkg[",
    ];
    for (const requirement of refused) {
      const r = await api.json("POST", "/api/packages", { requirement });
      expect([requirement, r.status, r.body.field]).toEqual([requirement, 422, "requirement"]);
      expect(r.body.error).toStartWith("requirement: ");
    }
    for (const name of ["pip", "-y", "x==1", "_x", "x%20y", "x%2f..%2fy"]) {
      const r = await api.json("DELETE", `/api/packages/${name}`);
      expect([name, r.status, r.body.field]).toEqual([name, 422, "name"]);
    }
    expect(await jobs()).toEqual([]);
    expect(existsSync(join(api.server.dir, "python-libs"))).toBe(false);
    const audit = (await api.json("GET", "/api/audit?limit=100")).body as { action: string }[];
    expect(audit.filter((e) => e.action.startsWith("package."))).toEqual([]);
  });

  test("an install streams its output live, the list shows the package, and a step imports it", async () => {
    const r = await api.json("POST", "/api/packages", { requirement: "lightflow-testpkg==1.0" });
    expect(r.status).toBe(202);
    const { job } = r.body as { job: string };
    const [text, messages] = await Promise.all([followText(job), followSocket(job)]);

    const done = (await api.json("GET", `/api/packages/jobs/${job}`)).body;
    expect(done).toMatchObject({ job, status: "success", action: "install", requirement: "lightflow-testpkg==1.0" });
    expect(done.output).toContain("-m venv"); // the first job made the venv
    expect(done.output).toContain(`Looking in indexes: ${indexUrl}`); // ours, from the server's environment
    expect(done.output).toContain("Successfully installed lightflow-testpkg-1.0");
    expect(text).toBe(done.output);
    expect(messages.at(-1)).toEqual({ type: "end", status: "success" });
    expect(messages.slice(0, -1).every((m) => m.type === "output")).toBe(true);
    expect(messages.slice(0, -1).map((m) => m.data).join("")).toBe(done.output);

    const list = (await api.json("GET", "/api/packages")).body as { name: string; version: string }[];
    expect(list).toContainEqual({ name: "lightflow-testpkg", version: "1.0" });

    const task = { name: "uses-pkg", steps: [{ name: "import", command: "python3", args: ["-c", "import lightflow_testpkg; print(lightflow_testpkg.VALUE)"] }] };
    expect((await api.json("POST", "/api/tasks", task)).status).toBe(201);
    expect(await runStep("uses-pkg")).toEqual({ status: "success", log: "42\n" });

    const audit = (await api.json("GET", "/api/audit?limit=10")).body as { action: string; target: string; detail: string }[];
    expect(audit).toContainEqual(expect.objectContaining({ action: "package.install", target: "lightflow-testpkg==1.0", detail: `job ${job}` }));
  }, SLOW);

  test("jobs run one at a time in order; a failed install ends failed with pip's words", async () => {
    const first = (await api.json("POST", "/api/packages", { requirement: "lightflow-testpkg[extra]>=1.0,<2" })).body.job as string;
    const second = (await api.json("POST", "/api/packages", { requirement: "lightflow-no-such-package==9.9" })).body.job as string;
    expect((await api.json("GET", `/api/packages/jobs/${second}`)).body.status).toBe("queued");
    const [a, b] = await Promise.all([followSocket(first), followSocket(second)]);
    expect(a.at(-1)).toEqual({ type: "end", status: "success" });
    expect(b.at(-1)).toEqual({ type: "end", status: "failed" });
    const failed = (await api.json("GET", `/api/packages/jobs/${second}`)).body;
    expect(failed.output).toMatch(/No matching distribution found for lightflow-no-such-package==9\.9/);
    expect(failed.output).not.toContain("-m venv"); // made once
    expect((await jobs()).slice(0, 2).map((j) => [j.job, j.status])).toEqual([
      [second, "failed"],
      [first, "success"],
    ]);
    // a finished job still streams: the whole output, then its end
    expect(await followText(second)).toBe(failed.output);
  }, SLOW);

  test("uninstall removes the package and the step can no longer import it", async () => {
    const r = await api.json("DELETE", "/api/packages/lightflow-testpkg");
    expect(r.status).toBe(202);
    const messages = await followSocket(r.body.job);
    expect(messages.at(-1)).toEqual({ type: "end", status: "success" });
    expect(messages.map((m) => m.data ?? "").join("")).toContain("Successfully uninstalled lightflow-testpkg-1.0");
    const list = (await api.json("GET", "/api/packages")).body as { name: string }[];
    expect(list.map((p) => p.name)).not.toContain("lightflow-testpkg");
    const after = await runStep("uses-pkg");
    expect(after.status).toBe("failed");
    expect(after.log).toContain("No module named 'lightflow_testpkg'");
    const audit = (await api.json("GET", "/api/audit?limit=10")).body as { action: string; target: string }[];
    expect(audit).toContainEqual(expect.objectContaining({ action: "package.uninstall", target: "lightflow-testpkg" }));
  }, SLOW);

  test("an unknown job is 404, as JSON, as text and before a WebSocket upgrade", async () => {
    expect((await api.json("GET", "/api/packages/jobs/0123456789abcdef")).status).toBe(404);
    expect((await api.call("GET", "/api/packages/jobs/0123456789abcdef?follow=1")).status).toBe(404);
    const ws = await fetch(`${api.url}/api/packages/jobs/0123456789abcdef/ws`, { headers: { authorization: `Bearer ${api.token}`, ...UPGRADE } });
    expect(ws.status).toBe(404);
  });

  test("a viewer gets 403 on every packages route, the WebSocket included", async () => {
    const job = (await jobs())[0]!.job;
    const viewer = await api.user("pkg-viewer@example.com", "viewer");
    const as = { authorization: `Bearer ${viewer.token}`, "content-type": "application/json" };
    const calls: [string, string, unknown?][] = [
      ["GET", "/api/packages"],
      ["POST", "/api/packages", { requirement: "lightflow-testpkg" }],
      ["DELETE", "/api/packages/lightflow-testpkg"],
      ["GET", "/api/packages/jobs"],
      ["GET", `/api/packages/jobs/${job}`],
      ["GET", `/api/packages/jobs/${job}?follow=1`],
    ];
    const before = (await jobs()).length;
    for (const [method, path, body] of calls) {
      const res = await fetch(api.url + path, { method, headers: as, body: body === undefined ? undefined : JSON.stringify(body) });
      expect([method, path, res.status]).toEqual([method, path, 403]);
    }
    const ws = await fetch(`${api.url}/api/packages/jobs/${job}/ws`, { headers: { authorization: `Bearer ${viewer.token}`, ...UPGRADE } });
    expect(ws.status).toBe(403);
    const foreign = await fetch(`${api.url}/api/packages/jobs/${job}/ws`, { headers: { cookie: api.cookie, origin: "https://evil.example", ...UPGRADE } });
    expect(foreign.status).toBe(403);
    expect((await jobs()).length).toBe(before);
  });
});
