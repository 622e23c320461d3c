// What must be the same on every node of a cluster (issue 17, items 6 and 7),
// on a real PostgreSQL with two real nodes, a and b, each with its own data
// directory: the scripts (kept in the database, written into each node's
// directory before a step uses them), the end of someone's access (a stream on
// the other node closes), the sign-in throttle (counted in the database), and
// the audit log naming the node that answered.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ADMIN_EMAIL, ADMIN_PASSWORD, cookieOf, request, runFinished, startApi, type Api } from "./helpers/api.ts";
import { freshDatabase } from "./helpers/pg.ts";
import { joined, startServer, type ServerProcess } from "./helpers/server.ts";
import { tempDir } from "./helpers/tmp.ts";

let a: Api;
let b: ServerProcess;
/** node b through the admin's token made on a (sessions and tokens live in the database) */
let onB: Pick<Api, "url" | "token" | "call" | "json">;

const scriptsOf = (dir: string) => join(dir, "scripts");

beforeAll(async () => {
  const url = await freshDatabase();
  // a starts first, with a script of its own: the database has none yet, so a's files become the cluster's
  const dirA = tempDir();
  mkdirSync(scriptsOf(dirA), { recursive: true });
  writeFileSync(join(scriptsOf(dirA), "seed.sh"), "#!/bin/sh\necho seeded\n", { mode: 0o750 });
  a = await startApi({ dir: dirA, env: { LIGHTFLOW_DATABASE_URL: url, LIGHTFLOW_NODE_NAME: "a" } });
  b = await startServer({ env: { LIGHTFLOW_DATABASE_URL: url, LIGHTFLOW_NODE_NAME: "b", LIGHTFLOW_ADMIN_EMAIL: ADMIN_EMAIL } });
  await Promise.all([joined(a.server), joined(b)]);
  await b.waitForLine(/scripts: the scripts directory is at version/);
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    request(b.url, method, path, body, { authorization: `Bearer ${a.token}`, ...headers });
  onB = {
    url: b.url,
    token: a.token,
    call,
    async json(method, path, body, headers) {
      const r = await call(method, path, body, headers);
      const text = await r.text();
      return { status: r.status, body: text ? JSON.parse(text) : null };
    },
  };
});

afterAll(async () => {
  await b?.stop();
  b?.cleanup();
  await a?.close();
});

describe("scripts", () => {
  test("the first node's files seed the database; a node that starts later writes them into its own directory", () => {
    const seeded = join(scriptsOf(b.dir), "seed.sh");
    expect(readFileSync(seeded, "utf8")).toBe("#!/bin/sh\necho seeded\n");
    expect(statSync(seeded).mode & 0o777).toBe(0o750);
  });

  test("a script saved through a is in b's directory, and a step on b runs the newest one", async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode("#!/bin/sh\n# NUL follows\n"), 0, 0x0a, ...new TextEncoder().encode("echo first\n")]);
    const put = await fetch(`${a.url}/api/scripts/tools/hello.sh`, { method: "PUT", body: bytes, headers: { authorization: `Bearer ${a.token}` } });
    expect(put.status).toBe(200);
    // the editor on b shows it: it reads b's own directory, brought up to date first
    expect((await onB.call("GET", "/api/scripts")).status).toBe(200);
    const copy = join(scriptsOf(b.dir), "tools", "hello.sh");
    expect(new Uint8Array(readFileSync(copy))).toEqual(bytes); // NUL bytes and all (base64 in the database)
    expect(statSync(copy).mode & 0o777).toBe(0o750);

    // saved again through a and run at once on b: b brings its directory up to date before the step starts
    expect((await a.call("PUT", "/api/scripts/tools/hello.sh", "#!/bin/sh\necho \"hello from $(hostname) v2\"\n")).status).toBe(200);
    expect((await a.json("POST", "/api/tasks", { name: "on-b", runs_on: "b", steps: [{ name: "s", command: "./tools/hello.sh" }] })).status).toBe(201);
    const run = (await a.json("POST", "/api/tasks/on-b/runs")).body;
    const ended = await runFinished(onB as Api, run.id);
    expect({ status: ended.status, node: ended.node }).toEqual({ status: "success", node: "b" });
    const log = await (await onB.call("GET", `/api/runs/${run.id}/steps/1/log`)).text();
    expect(log).toContain("v2");
  });

  test("a script edited, renamed and deleted through b changes on a", async () => {
    expect((await onB.call("PUT", "/api/scripts/lib/job.py", "print('from b')\n")).status).toBe(200);
    expect((await onB.call("PUT", "/api/scripts/tools/hello.sh", "#!/bin/sh\necho edited on b\n")).status).toBe(200);
    const edited = await a.call("GET", "/api/scripts/tools/hello.sh");
    expect(await edited.text()).toBe("#!/bin/sh\necho edited on b\n");
    expect(readFileSync(join(scriptsOf(a.server.dir), "lib", "job.py"), "utf8")).toBe("print('from b')\n");

    expect((await onB.json("POST", "/api/scripts/rename", { from: "lib", to: "pylib" })).status).toBe(200);
    expect((await onB.call("DELETE", "/api/scripts/seed.sh")).status).toBe(204);
    const listed = (await a.json("GET", "/api/scripts")).body.map((e: any) => e.path);
    expect(listed).toContain("pylib/job.py");
    expect(listed).not.toContain("lib/job.py");
    expect(listed).not.toContain("seed.sh");
    expect(existsSync(join(scriptsOf(a.server.dir), "seed.sh"))).toBe(false);
    expect(readFileSync(join(scriptsOf(a.server.dir), "pylib", "job.py"), "utf8")).toBe("print('from b')\n");
  });
});

describe("python packages", () => {
  test("an uninstall asked of a runs on a and on b, one job each, listed and followed from either node", async () => {
    // a package that is not installed: pip says so and succeeds, and no index is needed
    const asked = await a.json("DELETE", "/api/packages/lightflow-not-installed");
    expect(asked.status).toBe(202);
    const listed = (await onB.json("GET", "/api/packages/jobs")).body as { job: string; node: string; action: string; requirement: string }[];
    const ours = listed.filter((j) => j.requirement === "lightflow-not-installed");
    expect(ours.map((j) => [j.node, j.action]).sort()).toEqual([["a", "uninstall"], ["b", "uninstall"]]);
    expect(ours.find((j) => j.node === "a")!.job).toBe(asked.body.job);
    const jobOfB = ours.find((j) => j.node === "b")!.job;

    // b's job followed through a (plain text until it ends), a's through b's WebSocket
    const socket = new WebSocket(`${b.url.replace("http", "ws")}/api/packages/jobs/${asked.body.job}/ws`, { headers: { authorization: `Bearer ${a.token}` } } as any);
    const messages: any[] = [];
    socket.onmessage = (e) => messages.push(JSON.parse(String(e.data)));
    const closed = new Promise<void>((resolve) => (socket.onclose = () => resolve()));
    const text = await (await a.call("GET", `/api/packages/jobs/${jobOfB}?follow=1`)).text();
    expect(text).toContain("-m venv");
    expect(text).toContain("uninstall --yes");
    await closed;
    expect(messages.at(-1)).toEqual({ type: "end", status: "success" });
    expect(messages.filter((m) => m.type === "output").map((m) => m.data).join("")).toContain("uninstall --yes");
    for (const [api, job] of [[a, jobOfB], [onB, asked.body.job]] as const) {
      const got = (await api.json("GET", `/api/packages/jobs/${job}`)).body;
      expect(got.status).toBe("success");
      expect(got.output).toContain("uninstall --yes");
    }
    expect(existsSync(join(a.server.dir, "python-libs", "bin", "python"))).toBe(true);
    expect(existsSync(join(b.dir, "python-libs", "bin", "python"))).toBe(true);
  }, 120_000);
});

describe("accounts", () => {
  test("signing out on a closes the events WebSocket opened on b (1008)", async () => {
    const login = await request(a.url, "POST", "/api/auth/login", { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    expect(login.status).toBe(200);
    const cookie = cookieOf(login);
    // the session made on a is valid on b
    expect((await request(b.url, "GET", "/api/me", undefined, { cookie })).status).toBe(200);
    const socket = new WebSocket(`${b.url.replace("http", "ws")}/api/events`, { headers: { cookie, origin: b.url } } as any);
    const closed = new Promise<number>((resolve) => (socket.onclose = (e) => resolve(e.code)));
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = reject;
    });
    expect((await request(a.url, "POST", "/api/auth/logout", undefined, { cookie })).status).toBe(204);
    expect(await closed).toBe(1008);
  });

  test("six wrong passwords spread over a and b are throttled like six on one node", async () => {
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) {
      const node = i % 2 === 0 ? a.url : b.url;
      codes.push((await request(node, "POST", "/api/auth/login", { email: "guessed@example.com", password: `wrong ${i}` })).status);
    }
    expect(codes).toEqual([401, 401, 401, 401, 401, 429]);
    // and the wait holds on either node
    expect((await request(a.url, "POST", "/api/auth/login", { email: "guessed@example.com", password: "again" })).status).toBe(429);
  });

  test("the audit log names the node that answered", async () => {
    const entries = (await a.json("GET", "/api/audit?limit=100")).body as { action: string; target: string; node: string | null }[];
    expect(entries.find((e) => e.action === "script.delete" && e.target === "seed.sh")?.node).toBe("b");
    expect(entries.find((e) => e.action === "logout")?.node).toBe("a");
    expect(entries.find((e) => e.action === "login.failed" && e.target === "guessed@example.com")).toBeDefined();
    expect(new Set(entries.filter((e) => e.action === "login.failed").map((e) => e.node))).toEqual(new Set(["a", "b"]));
  });
});
