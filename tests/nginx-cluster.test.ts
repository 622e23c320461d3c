// The shipped nginx/lightflow-cluster.conf in a real nginx in front of two real
// nodes on one real PostgreSQL (README, "Several machines"): round robin with
// no sticky sessions, WebSockets upgraded on either node, and a stopped node
// skipped.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cookieOf, startApi, ADMIN_EMAIL, ADMIN_PASSWORD, type Api } from "./helpers/api.ts";
import { tempDir } from "./helpers/engine.ts";
import { waitForFile } from "./helpers/files.ts";
import { until, within } from "./helpers/cluster.ts";
import { freshDatabase } from "./helpers/pg.ts";
import { freePort, joined, keepLog, startServer, type ServerProcess } from "./helpers/server.ts";

const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find(existsSync);
const ROOT = join(import.meta.dir, "..");

let alpha: Api;
let beta: ServerProcess;
let nginx: ReturnType<typeof Bun.spawn> | undefined;
let base: string;
let dir: string;

/** The shipped file, pointed at the two test nodes and a free port. */
function siteConfig(a: string, b: string, port: number): string {
  const site = readFileSync(join(ROOT, "nginx", "lightflow-cluster.conf"), "utf8");
  const out = site
    .replace("server 127.0.0.1:8081 ", `server ${a} `)
    .replace("server 127.0.0.1:8082 ", `server ${b} `)
    .replace("listen 127.0.0.1:8080;", `listen 127.0.0.1:${port};`);
  expect(out).toContain(`server ${a} `);
  expect(out).toContain(`server ${b} `);
  expect(out).toContain(`listen 127.0.0.1:${port};`);
  return out;
}

/** Which node answered each request so far, from nginx's access log (the test's own format). */
const upstreams = (path: string) =>
  readFileSync(join(dir, "access.log"), "utf8")
    .split("\n")
    .filter((l) => l.endsWith(` ${path}`))
    .map((l) => l.split(" ")[0]!);

/**
 * The upstreams of `path` once nginx has logged `n` of them (a WebSocket is
 * logged when it closes). Read again until then: Bun's fs.watch reported the
 * first of two lines nginx wrote within a millisecond and never the second.
 */
const loggedUpstreams = (path: string, n: number) =>
  until(`nginx to log ${n} requests of ${path}`, () => {
    const found = upstreams(path);
    return found.length >= n && found;
  }, 15_000);

beforeAll(async () => {
  if (!NGINX) throw new Error("nginx is not installed: apt-get install nginx (see README, Running the tests)");
  const url = await freshDatabase();
  const common = { LIGHTFLOW_DATABASE_URL: url, LIGHTFLOW_TRUSTED_PROXY: "127.0.0.1" };
  alpha = await startApi({ env: { ...common, LIGHTFLOW_NODE_NAME: "alpha" } });
  beta = await startServer({ env: { ...common, LIGHTFLOW_NODE_NAME: "beta", LIGHTFLOW_NODE_LABELS: "backup" } });
  await Promise.all([joined(alpha.server), joined(beta)]);
  dir = tempDir("lightflow-nginx-cluster-");
  const port = await freePort();
  writeFileSync(join(dir, "site.conf"), siteConfig(new URL(alpha.url).host, new URL(beta.url).host, port));
  writeFileSync(
    join(dir, "nginx.conf"),
    `daemon off;\nworker_processes 1;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\nevents { worker_connections 256; }\nhttp {\n` +
      `  log_format upstream '$upstream_addr $status $request_uri';\n  access_log ${dir}/access.log upstream;\n` +
      `  client_body_temp_path ${dir}/body;\n  proxy_temp_path ${dir}/proxy;\n  fastcgi_temp_path ${dir}/fastcgi;\n` +
      `  uwsgi_temp_path ${dir}/uwsgi;\n  scgi_temp_path ${dir}/scgi;\n  include ${dir}/site.conf;\n}\n`,
  );
  execFileSync(NGINX, ["-t", "-p", dir, "-c", `${dir}/nginx.conf`], { stdio: "pipe" });
  rmSync(`${dir}/nginx.pid`, { force: true }); // -t leaves an empty one behind
  nginx = Bun.spawn([NGINX, "-p", dir, "-c", `${dir}/nginx.conf`], { stdout: "ignore", stderr: "pipe" });
  await waitForFile(`${dir}/nginx.pid`); // written once nginx listens
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  if (alpha) keepLog("alpha.log", alpha.server.timeline());
  if (beta) keepLog("beta.log", beta.timeline());
  nginx?.kill("SIGTERM");
  await nginx?.exited;
  await beta?.stop();
  beta?.cleanup();
  await alpha?.close();
});

const viaNginx = (path: string, init: RequestInit = {}) =>
  fetch(base + path, { ...init, headers: { authorization: `Bearer ${alpha.token}`, ...(init.headers as Record<string, string>) } });

/** A WebSocket on /api/events through nginx; resolves with the first run event that `done` accepts. */
function eventsUntil(done: (run: any) => boolean): { opened: Promise<void>; run: Promise<any>; ws: WebSocket } {
  const ws = new WebSocket(`${base.replace("http", "ws")}/api/events`, { headers: { authorization: `Bearer ${alpha.token}` } } as any);
  const opened = new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error("the events WebSocket through nginx failed"));
  });
  const run = new Promise<any>((resolve) => {
    ws.onmessage = (e) => {
      const m = JSON.parse(String(e.data));
      if (m.type === "run" && done(m.run)) resolve(m.run);
    };
  });
  return { opened, run, ws };
}

describe("two nodes behind nginx/lightflow-cluster.conf", () => {
  test("a session made through one node works on both, in turn, with no sticky session", async () => {
    const login = await fetch(`${base}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
    });
    expect(login.status).toBe(200);
    const cookie = cookieOf(login);
    for (let i = 0; i < 4; i++) {
      const me = await fetch(`${base}/api/me`, { headers: { cookie } });
      expect(me.status).toBe(200);
      expect(((await me.json()) as { email: string }).email).toBe(ADMIN_EMAIL);
    }
    // nginx gave the four requests to both nodes
    expect(new Set(upstreams("/api/me"))).toEqual(new Set([new URL(alpha.url).host, new URL(beta.url).host]));
  });

  test("the events WebSocket is upgraded on either node and sees a run that another node ran", async () => {
    await alpha.json("POST", "/api/tasks", { name: "ngx-on-backup", runs_on: "backup", steps: [{ name: "s", command: "true" }] });
    // two sockets: round robin opens one on each node
    const watchers = [0, 1].map(() => eventsUntil((r) => r.task === "ngx-on-backup" && r.status === "success"));
    await Promise.all(watchers.map((w) => w.opened));
    const trigger = await viaNginx("/api/tasks/ngx-on-backup/runs", { method: "POST" });
    expect(trigger.status).toBe(202);
    const seen = await within("the run's end on both events WebSockets", Promise.all(watchers.map((w) => w.run)), 20_000);
    for (const w of watchers) w.ws.close();
    expect(seen.map((r) => r.node)).toEqual(["beta", "beta"]);
    // one socket was upgraded by each node
    expect(new Set(await loggedUpstreams("/api/events", 2))).toEqual(new Set([new URL(alpha.url).host, new URL(beta.url).host]));
  });

  test("a node that is stopped is skipped: every request still gets its answer", async () => {
    expect(await beta.stop()).toBe(0);
    for (let i = 0; i < 4; i++) {
      const nodes = await viaNginx("/api/nodes");
      expect(nodes.status).toBe(200);
      const list = (await nodes.json()) as { name: string; alive: boolean; leader: boolean }[];
      expect(list.find((n) => n.name === "alpha")).toMatchObject({ alive: true, leader: true });
    }
  });
});
