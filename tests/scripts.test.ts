// The script editor's API against the real server: path safety, atomic
// saves, modes, the Python syntax check, size and binary limits, roles.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { startApi, type Api } from "./helpers/api.ts";

let api: Api;
let scripts: string;
let dataDir: string;
const CANARY = "canary: must never be read or changed\n";

/** What lies outside the scripts directory, to compare before and after. */
function outsideState(): string {
  const canary = join(dataDir, "canary.txt");
  const outside = join(dataDir, "outside");
  return JSON.stringify({
    canary: [readFileSync(canary, "utf8"), statSync(canary).mtimeMs],
    outside: readdirSync(outside).map((f) => [f, readFileSync(join(outside, f), "utf8"), statSync(join(outside, f)).mtimeMs]),
    data: readdirSync(dataDir).sort(),
  });
}

/**
 * One HTTP request with the target sent byte for byte: fetch would resolve
 * "..", "%2e%2e" and backslashes before sending, and the point is to see what
 * the server does with them.
 */
function raw(method: string, target: string, body = ""): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(api.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `${method} ${target} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${api.token}\r\n` +
          `Content-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
    let data = "";
    socket.on("data", (d) => (data += d.toString("latin1")));
    socket.on("error", reject);
    socket.on("end", () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      resolve({ status, text: data.slice(data.indexOf("\r\n\r\n") + 4) });
    });
  });
}

beforeAll(async () => {
  api = await startApi();
  dataDir = api.server.dir;
  scripts = join(dataDir, "scripts");
  writeFileSync(join(dataDir, "canary.txt"), CANARY);
  mkdirSync(join(dataDir, "outside"));
  writeFileSync(join(dataDir, "outside", "secret.txt"), CANARY);
  symlinkSync("/etc", join(scripts, "etc"));
  symlinkSync(join(dataDir, "outside"), join(scripts, "out"));
  symlinkSync("/etc/passwd", join(scripts, "pw"));
  symlinkSync("../canary.txt", join(scripts, "canarylink"));
}, 60_000); // the preload's default timeout reaches only the first test file bun runs
afterAll(() => api.close());

describe("scripts API", () => {
  test("a script is created, opened, listed, renamed and deleted; each change is audited", async () => {
    let r = await api.json("PUT", "/api/scripts/jobs/hello.sh", "echo hello\n", { "content-type": "text/plain" });
    expect(r).toEqual({ status: 200, body: { path: "jobs/hello.sh", size: 11, check: null } });
    let res = await api.call("GET", "/api/scripts/jobs/hello.sh");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("text/plain");
    expect(await res.text()).toBe("echo hello\n");

    const list = (await api.json("GET", "/api/scripts")).body as { path: string; size: number; modified_at: string; binary: boolean }[];
    const entry = list.find((e) => e.path === "jobs/hello.sh")!;
    expect(entry).toMatchObject({ size: 11, binary: false });
    expect(new Date(entry.modified_at).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(list.map((e) => e.path)).toEqual(list.map((e) => e.path).sort());

    r = await api.json("POST", "/api/scripts/rename", { from: "jobs/hello.sh", to: "jobs/renamed/hi.sh" });
    expect(r).toEqual({ status: 200, body: { from: "jobs/hello.sh", to: "jobs/renamed/hi.sh" } });
    expect((await api.call("GET", "/api/scripts/jobs/hello.sh")).status).toBe(404);
    expect(await (await api.call("GET", "/api/scripts/jobs/renamed/hi.sh")).text()).toBe("echo hello\n");

    res = await api.call("DELETE", "/api/scripts/jobs/renamed/hi.sh");
    expect(res.status).toBe(204);
    expect(existsSync(join(scripts, "jobs/renamed/hi.sh"))).toBe(false);
    r = await api.json("GET", "/api/scripts/jobs/renamed/hi.sh");
    expect(r.status).toBe(404);
    expect(r.body.error).toContain("jobs/renamed/hi.sh");
    expect((await api.call("DELETE", "/api/scripts/nothing-here.txt")).status).toBe(404);

    const audit = (await api.json("GET", "/api/audit?limit=10")).body as { action: string; target: string; detail: string | null }[];
    expect(audit.filter((e) => e.action.startsWith("script.")).map((e) => [e.action, e.target])).toEqual([
      ["script.delete", "jobs/renamed/hi.sh"],
      ["script.rename", "jobs/hello.sh"],
      ["script.save", "jobs/hello.sh"],
    ]);
  });

  test("every path traversal form is refused and nothing outside the scripts directory is read or written", async () => {
    const before = outsideState();
    // forms that reach the handler: refused by the path check (422, field "path")
    const refused = [
      "..%2fcanary.txt",
      "%2e%2e%2fcanary.txt",
      "%252e%252e/canary.txt",
      "%252e%252e%252fcanary.txt",
      "sub/..%2f..%2fcanary.txt",
      "/etc/passwd", // the target is /api/scripts//etc/passwd
      "%2fetc%2fpasswd",
      "a%5c..%5c..%5ccanary.txt",
      "canary.txt%00",
      "%00",
    ];
    for (const p of refused) {
      for (const method of ["GET", "PUT", "DELETE"]) {
        const r = await raw(method, `/api/scripts/${p}`, "pwned\n");
        expect([p, method, r.status]).toEqual([p, method, 422]);
        expect(JSON.parse(r.text)).toMatchObject({ field: "path" });
      }
    }
    // forms the HTTP layer resolves before routing ("..", "%2e%2e", "\"): they
    // land outside /api/scripts/, where no route writes and a GET gets at most
    // the UI's index page
    for (const p of ["../canary.txt", "../../canary.txt", "%2e%2e/canary.txt", "%2E%2E/%2e%2e/canary.txt", "a\\..\\..\\canary.txt", "..\\canary.txt"]) {
      for (const method of ["GET", "PUT", "DELETE"]) {
        const r = await raw(method, `/api/scripts/${p}`, "pwned\n");
        if (method !== "GET") expect([p, method, r.status]).toEqual([p, method, 404]);
        expect(r.text).not.toContain("must never be read");
      }
    }
    // symlinks inside the directory that lead out: 403, never followed
    for (const p of ["etc/passwd", "etc/hostname", "pw", "out/secret.txt", "canarylink"]) {
      for (const method of ["GET", "PUT", "DELETE"]) {
        const r = await api.json(method, `/api/scripts/${p}`, method === "PUT" ? "pwned\n" : undefined);
        expect([p, method, r.status]).toEqual([p, method, 403]);
        expect(r.body).toMatchObject({ field: "path" });
        expect(r.body.error).toContain("outside the scripts directory");
      }
    }
    expect((await api.json("PUT", "/api/scripts/out/new.txt", "pwned\n")).status).toBe(403);
    expect((await api.json("PUT", "/api/scripts/etc/lightflow-test.txt", "pwned\n")).status).toBe(403);
    await api.call("PUT", "/api/scripts/inside.txt", "inside\n");
    for (const [body, field] of [
      [{ from: "out/secret.txt", to: "stolen.txt" }, "from"],
      [{ from: "pw", to: "passwd" }, "from"],
      [{ from: "inside.txt", to: "out/inside.txt" }, "to"],
      [{ from: "inside.txt", to: "etc/inside.txt" }, "to"],
    ] as const) {
      const r = await api.json("POST", "/api/scripts/rename", body);
      expect([body, r.status, r.body.field]).toEqual([body, 403, field]);
    }
    for (const [body, field] of [
      [{ from: "../canary.txt", to: "c.txt" }, "from"],
      [{ from: "inside.txt", to: "../moved.txt" }, "to"],
      [{ from: "inside.txt", to: "/tmp/moved.txt" }, "to"],
      [{ from: "inside.txt", to: "a\\..\\..\\moved.txt" }, "to"],
      [{ from: "inside.txt", to: "moved\u0000.txt" }, "to"],
      [{ from: "inside.txt", to: "%2e%2e/moved.txt" }, "to"],
    ] as const) {
      const r = await api.json("POST", "/api/scripts/rename", body);
      expect([body, r.status, r.body.field]).toEqual([body, 422, field]);
    }
    // the list leaves out the links that lead out
    const paths = ((await api.json("GET", "/api/scripts")).body as { path: string }[]).map((e) => e.path);
    expect(paths).toContain("inside.txt");
    expect(paths.filter((p) => /^(etc|out|pw|canarylink)(\/|$)/.test(p))).toEqual([]);

    expect(outsideState()).toBe(before);
    expect(readFileSync("/etc/passwd", "utf8")).not.toContain("pwned");
    expect(existsSync("/etc/lightflow-test.txt")).toBe(false);
  });

  test("a save is atomic: readers see the old or the new content whole, and no temporary file is left", async () => {
    const size = 512 * 1024;
    const versions = ["a", "b", "c", "d"].map((ch) => ch.repeat(size));
    await api.call("PUT", "/api/scripts/big.txt", versions[0]);
    const saves = versions.map((v) => api.call("PUT", "/api/scripts/big.txt", v));
    const reads = Array.from({ length: 8 }, () => api.call("GET", "/api/scripts/big.txt").then((r) => r.text()));
    expect((await Promise.all(saves)).map((r) => r.status)).toEqual([200, 200, 200, 200]);
    for (const text of await Promise.all(reads)) expect(versions).toContain(text);
    const all = readdirSync(scripts, { recursive: true }) as string[];
    expect(all.filter((f) => f.includes(".lightflow-tmp-"))).toEqual([]);
  });

  test("a script with a shebang or a .sh name is saved 0750, any other file 0640", async () => {
    await api.call("PUT", "/api/scripts/tool.py", "#!/usr/bin/env python3\nprint('hi')\n");
    await api.call("PUT", "/api/scripts/new.sh", "echo no shebang\n");
    await api.call("PUT", "/api/scripts/data.txt", "just data\n");
    const mode = (f: string) => statSync(join(scripts, f)).mode & 0o777;
    expect([mode("tool.py"), mode("new.sh"), mode("data.txt")]).toEqual([0o750, 0o750, 0o640]);
    await api.call("PUT", "/api/scripts/tool.py", "print('no longer a program')\n");
    expect(mode("tool.py")).toBe(0o640);
  });

  test("a .py file with a syntax error is saved anyway and the answer gives its line and message", async () => {
    const source = "import os\n\ndef broken(:\n    return 1\n";
    const r = await api.json("PUT", "/api/scripts/pkg/broken.py", source);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ path: "pkg/broken.py", size: source.length, check: { line: 3 } });
    expect(r.body.check.message).toMatch(/syntax|invalid/i);
    expect(await (await api.call("GET", "/api/scripts/pkg/broken.py")).text()).toBe(source);
    const ok = await api.json("PUT", "/api/scripts/pkg/fine.py", "print('fine')\n");
    expect(ok.body.check).toBeNull();
  });

  test("a body over 1 MiB is refused with 413, by its Content-Length or by what arrives", async () => {
    const limit = 1024 * 1024;
    let r = await api.json("PUT", "/api/scripts/huge.txt", "x".repeat(limit + 1));
    expect(r.status).toBe(413);
    expect(r.body.error).toContain("1 MiB");
    // chunked: no Content-Length to go by
    const piece = new TextEncoder().encode("y".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent > limit + piece.length) return c.close();
        sent += piece.length;
        c.enqueue(piece);
      },
    });
    const res = await fetch(`${api.url}/api/scripts/huge.txt`, { method: "PUT", body: stream, headers: { authorization: `Bearer ${api.token}` } });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toContain("1 MiB");
    expect(existsSync(join(scripts, "huge.txt"))).toBe(false);
    r = await api.json("PUT", "/api/scripts/huge.txt", "x".repeat(limit));
    expect(r).toEqual({ status: 200, body: { path: "huge.txt", size: limit, check: null } });
  });

  test("a binary file is listed as binary but not opened", async () => {
    writeFileSync(join(scripts, "tool.bin"), new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]));
    writeFileSync(join(scripts, "latin1.txt"), Buffer.from("caf\xe9\n", "latin1"));
    const list = (await api.json("GET", "/api/scripts")).body as { path: string; binary: boolean }[];
    expect(list.find((e) => e.path === "tool.bin")).toMatchObject({ binary: true });
    expect(list.find((e) => e.path === "latin1.txt")).toMatchObject({ binary: true });
    for (const f of ["tool.bin", "latin1.txt"]) {
      const r = await api.json("GET", `/api/scripts/${f}`);
      expect(r.status).toBe(415);
      expect(r.body.error).toContain("binary");
    }
  });

  test("a viewer gets 403 on every scripts route and changes nothing", async () => {
    await api.call("PUT", "/api/scripts/keep.txt", "keep\n");
    const viewer = await api.user("viewer@example.com", "viewer");
    const as = { authorization: `Bearer ${viewer.token}` };
    const calls: [string, string, unknown?][] = [
      ["GET", "/api/scripts"],
      ["GET", "/api/scripts/keep.txt"],
      ["PUT", "/api/scripts/keep.txt", "changed\n"],
      ["PUT", "/api/scripts/viewer.txt", "new\n"],
      ["DELETE", "/api/scripts/keep.txt"],
      ["POST", "/api/scripts/rename", { from: "keep.txt", to: "moved.txt" }],
    ];
    for (const [method, path, body] of calls) {
      const res = await fetch(api.url + path, {
        method,
        headers: { ...as, "content-type": typeof body === "string" ? "text/plain" : "application/json" },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
      expect([method, path, res.status]).toEqual([method, path, 403]);
    }
    expect(readFileSync(join(scripts, "keep.txt"), "utf8")).toBe("keep\n");
    expect(existsSync(join(scripts, "viewer.txt"))).toBe(false);
    expect((await fetch(`${api.url}/api/scripts`)).status).toBe(401);
  });
});
