// The project's nginx configuration in front of a real server: TLS, the API,
// a live WebSocket log and a follow=1 stream that arrive unbuffered.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startApi, type Api } from "./helpers/api.ts";
import { tempDir } from "./helpers/engine.ts";
import { waitForFile } from "./helpers/files.ts";
import { freePort, runCli } from "./helpers/server.ts";

const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find(existsSync);
const ROOT = join(import.meta.dir, "..");
const insecure = { tls: { rejectUnauthorized: false } } as const; // the test's self-signed certificate

let api: Api;
let nginx: ReturnType<typeof Bun.spawn> | undefined;
let base: string;
let plainBase: string;
let dir: string;

/** The shipped site file, pointed at the test server, the test ports and a self-signed certificate. */
function siteConfig(backend: string, tlsPort: number, plainPort: number): string {
  const site = readFileSync(join(ROOT, "nginx", "lightflow.conf"), "utf8");
  const out = site
    .replace("server 127.0.0.1:8080;", `server ${backend};`)
    .replace("listen 443 ssl http2;", `listen 127.0.0.1:${tlsPort} ssl http2;`)
    .replace("listen 80;", `listen 127.0.0.1:${plainPort};`)
    .replace(/^\s*listen \[::\].*$/gm, "")
    .replace(/ssl_certificate\s+\S+;/, `ssl_certificate ${dir}/cert.pem;`)
    .replace(/ssl_certificate_key\s+\S+;/, `ssl_certificate_key ${dir}/key.pem;`);
  expect(out).toContain(`server ${backend};`);
  expect(out).toContain(`listen 127.0.0.1:${tlsPort} ssl`);
  return out;
}

beforeAll(async () => {
  if (!NGINX) throw new Error("nginx is not installed: apt-get install nginx (see README, Running the tests)");
  api = await startApi({ env: { LIGHTFLOW_TRUSTED_PROXY: "127.0.0.1" } });
  dir = tempDir("lightflow-nginx-");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost", "-keyout", `${dir}/key.pem`, "-out", `${dir}/cert.pem`], { stdio: "ignore" });
  const [tlsPort, plainPort] = [await freePort(), await freePort()];
  writeFileSync(join(dir, "site.conf"), siteConfig(new URL(api.url).host, tlsPort, plainPort));
  writeFileSync(
    join(dir, "nginx.conf"),
    `daemon off;\nworker_processes 1;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\nevents { worker_connections 256; }\nhttp {\n` +
      `  access_log ${dir}/access.log;\n  client_body_temp_path ${dir}/body;\n  proxy_temp_path ${dir}/proxy;\n  fastcgi_temp_path ${dir}/fastcgi;\n` +
      `  uwsgi_temp_path ${dir}/uwsgi;\n  scgi_temp_path ${dir}/scgi;\n  include ${dir}/site.conf;\n}\n`,
  );
  execFileSync(NGINX, ["-t", "-p", dir, "-c", `${dir}/nginx.conf`], { stdio: "pipe" });
  rmSync(`${dir}/nginx.pid`, { force: true }); // -t leaves an empty one behind
  nginx = Bun.spawn([NGINX, "-p", dir, "-c", `${dir}/nginx.conf`], { stdout: "ignore", stderr: "pipe" });
  await waitForFile(`${dir}/nginx.pid`); // written once nginx listens
  base = `https://127.0.0.1:${tlsPort}`;
  plainBase = `http://127.0.0.1:${plainPort}`;
});

afterAll(async () => {
  nginx?.kill("SIGTERM");
  await nginx?.exited;
  await api?.close();
});

const viaNginx = (path: string, init: RequestInit = {}) =>
  fetch(base + path, { ...init, ...insecure, headers: { authorization: `Bearer ${api.token}`, ...(init.headers as Record<string, string>) } } as RequestInit);

/** A task whose step prints "first", waits until the test creates `gate`, then prints "second". */
async function gatedRun(name: string, gate: string): Promise<number> {
  const script = `echo first; while [ ! -e ${gate} ]; do sleep 0.05; done; echo second`;
  await api.json("POST", "/api/tasks", { name, steps: [{ name: "s", command: "bash", args: ["-c", script] }] });
  return (await api.json("POST", `/api/tasks/${name}/runs`)).body.id;
}

describe("behind nginx", () => {
  test("the API answers over TLS, and plain HTTP redirects to HTTPS", async () => {
    const r = await viaNginx("/api/alive");
    expect(await r.json()).toEqual({ ok: true });
    expect(r.headers.get("content-security-policy")).toContain("default-src 'self'");
    const plain = await fetch(`${plainBase}/api/alive`, { redirect: "manual" });
    expect(plain.status).toBe(301);
    expect(plain.headers.get("location")).toStartWith("https://");
  });

  test("a follow=1 log arrives while the step still runs (no proxy buffering)", async () => {
    const gate = join(dir, "gate-follow");
    const run = await gatedRun("ngx-follow", gate);
    const res = await viaNginx(`/api/runs/${run}/steps/1/log?follow=1`);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (!text.includes("first\n")) text += decoder.decode((await reader.read()).value);
    // the step is still waiting for the gate: this byte came through unbuffered
    writeFileSync(gate, "");
    for (let r = await reader.read(); !r.done; r = await reader.read()) text += decoder.decode(r.value);
    expect(text).toBe("first\nsecond\n");
  });

  test("a live log WebSocket passes the upgrade and streams until the end", async () => {
    const gate = join(dir, "gate-ws");
    const run = await gatedRun("ngx-ws", gate);
    const ws = new WebSocket(`${base.replace("https", "wss")}/api/runs/${run}/steps/1/log/ws?offset=0`, {
      headers: { authorization: `Bearer ${api.token}` },
      ...insecure,
    } as any);
    let text = "";
    const ended = new Promise<any>((resolve, reject) => {
      ws.onerror = () => reject(new Error("WebSocket through nginx failed"));
      ws.onmessage = (e) => {
        const m = JSON.parse(String(e.data));
        if (m.type === "chunk") {
          text += m.data;
          if (text === "first\n") writeFileSync(gate, "");
        } else resolve(m);
      };
    });
    const end = await ended;
    expect(text).toBe("first\nsecond\n");
    expect(end.step.status).toBe("success");
  });

  test("the command-line client runs a task through nginx and follows its log to the end", async () => {
    await api.json("POST", "/api/tasks", { name: "ngx-cli", steps: [{ name: "s", command: "bash", args: ["-c", "echo first; sleep 0.3; echo second"] }] });
    // the test's certificate is self-signed: this subprocess alone is told to accept it
    const { code, out, err } = await runCli(["run", "ngx-cli", "--follow"], { LIGHTFLOW_URL: base, LIGHTFLOW_TOKEN: api.token, NODE_TLS_REJECT_UNAUTHORIZED: "0" });
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toMatch(/^(\d+)\n== step 1 s \((running|success)\) ==\nfirst\nsecond\nrun \1: success\n$/);
  });

  test("the client address is the one nginx saw, not a spoofed X-Forwarded-For", async () => {
    await fetch(`${base}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": "203.0.113.66" },
      body: JSON.stringify({ email: "nobody@example.com", password: "wrong password" }),
      ...insecure,
    } as RequestInit);
    const audit = (await api.json("GET", "/api/audit?limit=5")).body;
    const failed = audit.find((e: any) => e.action === "login.failed");
    expect(failed.detail).toBe("from 127.0.0.1");
  });

  test("behind a trusted proxy, the last forwarded hop counts", async () => {
    // straight to the server from 127.0.0.1 (the trusted proxy) with a forwarded client
    await fetch(`${api.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": "198.51.100.1, 203.0.113.7" },
      body: JSON.stringify({ email: "nobody@example.com", password: "wrong password" }),
    });
    const audit = (await api.json("GET", "/api/audit?limit=5")).body;
    expect(audit.find((e: any) => e.action === "login.failed").detail).toBe("from 203.0.113.7");
  });
});
