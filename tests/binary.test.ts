// The one executable: built with `bun run build`, copied alone into an empty
// directory, it serves the API, the UI and WebSockets and runs the CLI.
// Also checks the systemd unit that runs it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { linkFor, request, tokenOfLink } from "./helpers/api.ts";
import { tempDir } from "./helpers/engine.ts";
import { startServer, type ServerProcess } from "./helpers/server.ts";
import { freshDatabase } from "./helpers/pg.ts";
import { openPostgres } from "../server/db/index.ts";

const ROOT = join(import.meta.dir, "..");
let dir: string;
let bin: string;
let server: ServerProcess;

async function run(args: string[], env: Record<string, string> = {}) {
  const p = Bun.spawn([bin, ...args], { cwd: dir, env: { PATH: process.env.PATH!, ...env }, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { out, err, code };
}

beforeAll(async () => {
  const build = Bun.spawn(["bun", "run", "build"], { cwd: ROOT, env: { ...process.env, GIT_COMMIT: "testcommit" }, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(build.stdout).text(), new Response(build.stderr).text(), build.exited]);
  if (code !== 0) throw new Error(`bun run build failed:\n${out}\n${err}`);
  dir = tempDir("lightflow-bin-");
  bin = join(dir, "lightflow");
  copyFileSync(join(ROOT, "dist", "lightflow"), bin); // alone: no node_modules, no client/dist beside it
  (await import("node:fs")).chmodSync(bin, 0o755);
  server = await startServer({ command: [bin, "serve"], cwd: dir, dir: join(dir, "data"), env: { LIGHTFLOW_ADMIN_EMAIL: "bin@example.com" } });
}, 180_000);

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the compiled executable", () => {
  test("is at most 110 MB", () => {
    expect(Bun.file(join(ROOT, "dist", "lightflow")).size).toBeLessThanOrEqual(110 * 1024 * 1024);
  });

  test("version prints version, commit and build date", async () => {
    const { out, code } = await run(["version"]);
    expect(code).toBe(0);
    expect(out).toMatch(/^lightflow \d+\.\d+\.\d+ \(commit testcommit\) built \d{4}-\d\d-\d\dT/);
  });

  test("unknown commands fail with usage", async () => {
    const { err, code } = await run(["nonsense"]);
    expect(code).toBe(2);
    expect(err).toContain("usage: lightflow");
  });

  test("serves the embedded UI, with index.html for client-side routes", async () => {
    const index = await fetch(`${server.url}/`);
    expect(index.headers.get("content-type")).toContain("text/html");
    const html = await index.text();
    expect(html).toContain("<title>Lightflow</title>");
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const js = await fetch(server.url + script);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toContain("javascript");
    expect((await fetch(`${server.url}/tasks/anything`)).headers.get("content-type")).toContain("text/html");
    expect((await fetch(`${server.url}/api/nothing`)).status).toBe(404);
    expect((await fetch(`${server.url}/about`)).status).toBe(200);
  });

  test("sends the embedded UI's brotli and gzip copies to clients that take them", async () => {
    const html = await (await fetch(`${server.url}/`)).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const plain = Buffer.from(await (await fetch(server.url + script, { headers: { "accept-encoding": "identity" } })).arrayBuffer());
    for (const [coding, decode] of [["br", brotliDecompressSync], ["gzip", gunzipSync]] as const) {
      // Bun's fetch decodes by itself unless told not to (an option its types do not list)
      const init = { headers: { "accept-encoding": coding }, decompress: false };
      const res = await fetch(server.url + script, init);
      expect(res.headers.get("content-encoding")).toBe(coding);
      expect(res.headers.get("content-type")).toContain("javascript");
      const body = Buffer.from(await res.arrayBuffer());
      expect(body.length).toBeLessThan(plain.length / 2);
      expect(decode(body).equals(plain)).toBe(true);
    }
  });

  test("the API and a WebSocket work, with data in ./data", async () => {
    await request(server.url, "POST", "/api/auth/setup-link");
    const link = await linkFor(server, "bin@example.com");
    const set = await request(server.url, "POST", "/api/auth/set-password", { token: tokenOfLink(link), password: "binary password 1" });
    expect(set.status).toBe(200);
    const cookie = set.headers.get("set-cookie")!.split(";")[0]!;
    await request(server.url, "POST", "/api/tasks", { name: "bin-task", steps: [{ name: "s", command: "echo", args: ["from the binary"] }] }, { cookie });
    const ws = new WebSocket(`${server.url.replace("http", "ws")}/api/events`, { headers: { cookie } } as any);
    const success = new Promise<any>((resolve) => {
      ws.onmessage = (e) => {
        const m = JSON.parse(String(e.data));
        if (m.type === "run" && m.run.status === "success") resolve(m.run);
      };
    });
    await new Promise((r) => (ws.onopen = r));
    await request(server.url, "POST", "/api/tasks/bin-task/runs", undefined, { cookie });
    const done = await success;
    ws.close();
    const log = await request(server.url, "GET", `/api/runs/${done.id}/steps/1/log`, undefined, { cookie });
    expect(await log.text()).toBe("from the binary\n");
    expect(readFileSync(join(dir, "data", "logs", "bin-task", String(done.id), "1-s.log"), "utf8")).toBe("from the binary\n");
  });

  test("reset-password works against the running server's data", async () => {
    const { out, code } = await run(["reset-password", "bin@example.com"]);
    expect(code).toBe(0);
    expect(out).toMatch(/\/set-password#token=[\w-]+\n$/);
  });

  test("with LIGHTFLOW_DATABASE_URL it keeps everything in PostgreSQL (its connection is a worker inside the executable)", async () => {
    const url = await freshDatabase();
    const data = join(dir, "pg-data");
    const pg = await startServer({ command: [bin, "serve"], cwd: dir, dir: data, env: { LIGHTFLOW_ADMIN_EMAIL: "pg@example.com", LIGHTFLOW_DATABASE_URL: url } });
    try {
      await request(pg.url, "POST", "/api/auth/setup-link");
      const set = await request(pg.url, "POST", "/api/auth/set-password", { token: tokenOfLink(await linkFor(pg, "pg@example.com")), password: "binary password 2" });
      const cookie = set.headers.get("set-cookie")!.split(";")[0]!;
      expect((await request(pg.url, "POST", "/api/tasks", { name: "pg-task", steps: [{ name: "s", command: "true" }] }, { cookie })).status).toBe(201);
    } finally {
      await pg.stop();
    }
    const db = openPostgres(url);
    try {
      expect(db.query<{ name: string }, []>("SELECT name FROM tasks").all()).toEqual([{ name: "pg-task" }]);
    } finally {
      db.close();
    }
    expect(existsSync(join(data, "lightflow.db"))).toBe(false);
  });

  test("LIGHTFLOW_STATIC_DIR serves the UI from disk instead", async () => {
    const ui = join(dir, "ui");
    mkdirSync(ui);
    writeFileSync(join(ui, "index.html"), "<!doctype html><title>custom</title>");
    const other = await startServer({ command: [bin, "serve"], cwd: dir, dir: join(dir, "data2"), env: { LIGHTFLOW_STATIC_DIR: ui } });
    try {
      expect(await (await fetch(`${other.url}/somewhere`)).text()).toContain("<title>custom</title>");
      expect((await fetch(`${other.url}/..%2f..%2fetc%2fpasswd`)).status).toBe(200); // index.html, not the file
      expect(await (await fetch(`${other.url}/..%2f..%2fetc%2fpasswd`)).text()).not.toContain("root:");
    } finally {
      await other.stop();
    }
  });
});

describe("deployment units", () => {
  test("the systemd unit passes systemd-analyze verify", async () => {
    const unitDir = tempDir("lightflow-unit-");
    const unit = readFileSync(join(ROOT, "container", "lightflow.service"), "utf8").replaceAll("/usr/local/bin/lightflow", bin);
    writeFileSync(join(unitDir, "lightflow.service"), unit);
    const p = Bun.spawn(["systemd-analyze", "verify", join(unitDir, "lightflow.service")], { stdout: "pipe", stderr: "pipe" });
    const [err, code] = await Promise.all([new Response(p.stderr).text(), p.exited]);
    expect(err.trim()).toBe("");
    expect(code).toBe(0);
  });

  test("the Containerfile runs the same executable, as a non-root user, with a health check", () => {
    const file = readFileSync(join(ROOT, "container", "Containerfile"), "utf8");
    expect(file).toContain("RUN GIT_COMMIT=\"$GIT_COMMIT\" bun run build");
    expect(file).toContain("COPY --from=build /src/dist/lightflow /usr/local/bin/lightflow");
    expect(file).toMatch(/^USER lightflow$/m);
    expect(file).toMatch(/^HEALTHCHECK .*\n.*\/api\/alive/m);
    expect(file).toMatch(/^VOLUME \/data$/m);
  });
});
