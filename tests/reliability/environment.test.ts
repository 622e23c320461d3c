// What reaches a step's environment, and what never leaves it: every variable
// value is either refused at the edge or given to every step intact; a secret
// shows in no log, error or answer, even when a bad one was saved before the
// rule existed; and a server started by a package runner (`bun start`) gives
// steps the shell's environment, not the runner's.
import { Database } from "bun:sqlite";
import { onPostgres } from "../helpers/pg.ts";
import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { tempDir } from "../helpers/engine.ts";
import { runEnded, startApi, type Api } from "../helpers/api.ts";
import { pick, prng } from "../helpers/soak.ts";

const ROOT = join(import.meta.dir, "..", "..");

let api: Api | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await api?.close();
  api = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function runTask(a: Api, name: string, script: string): Promise<any> {
  await a.json("POST", "/api/tasks", { name, steps: [{ name: "s", command: "bash", args: ["-c", script] }] });
  const run = (await a.json("POST", `/api/tasks/${name}/runs`)).body;
  return runEnded(a, run.id);
}

const logOf = async (a: Api, runId: number) => (await a.call("GET", `/api/runs/${runId}/steps/1/log`)).text();

describe("variable values", () => {
  const COUNT = pick(80, 800);
  const seed = Number(process.env.LIGHTFLOW_SEED ?? Date.now() % 100_000);
  const random = prng(seed);
  const int = (n: number) => Math.floor(random() * n);
  // no "*": a masked "***" must not look like a secret
  const ASCII = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).filter((c) => c !== "*");
  const PIECES = ["é", "日本", "🙂", "\n", "\t", "\u0001", "\u007f", "\u00a0", "=", "$(id)", "'", '"', "\\"];

  let wide = 0;
  function fuzzValue(): string {
    const kind = int(6);
    if (kind === 0) return Array.from({ length: int(6) }, () => ASCII[int(ASCII.length)]).join(""); // often too short for a secret
    // under the length limit, near or over 128 KiB once encoded; a few only, as all of a step's environment must fit in 2 MiB
    if (kind === 1 && wide++ < 8) return "é".repeat(64_000 + int(1_536));
    let v = Array.from({ length: 4 + int(40) }, () => (random() < 0.8 ? ASCII[int(ASCII.length)] : PIECES[int(PIECES.length)])).join("");
    if (kind === 2) v = v.slice(0, int(v.length)) + "\u0000" + v.slice(int(v.length));
    return v;
  }

  /** The rule, written again here from what a process environment can carry. */
  function refusal(value: string, secret: boolean, key: string): string | null {
    if (value.includes("\u0000")) return "value: a NUL byte cannot be passed to a program in its environment";
    if (Buffer.byteLength(`${key}=${value}`) + 1 > 128 * 1024) return "value: too long for a program's environment: key and value together at most 128 KiB in UTF-8";
    if (secret && value.length < 4) return "value: a secret must be at least 4 characters, so it can be masked in logs";
    return null;
  }

  test(`${COUNT} fuzzed values: each is refused on "value" without being quoted, or reaches the step intact; no secret is logged (seed ${seed})`, async () => {
    api = await startApi();
    const out = tempDir("lightflow-env-");
    dirs.push(out);
    await api.json("POST", "/api/variables", { key: "OUT_DIR", value: out });
    const accepted: { key: string; value: string; secret: boolean }[] = [];
    for (let i = 0; i < COUNT; i++) {
      const v = { key: `FZ_${i}`, value: fuzzValue(), secret: random() < 0.5 };
      const r = await api.call("POST", "/api/variables", v);
      const text = await r.text();
      const expected = refusal(v.value, v.secret, v.key);
      expect([v.key, r.status, expected === null ? null : JSON.parse(text)]).toEqual([v.key, expected === null ? 201 : 422, expected === null ? null : { error: expected, field: "value" }]);
      if (expected === null) accepted.push(v);
    }
    expect(accepted.length).toBeGreaterThan(COUNT / 4);
    const secrets = accepted.filter((v) => v.secret);
    const script = `for k in ${accepted.map((v) => v.key).join(" ")}; do printenv "$k" > "$OUT_DIR/$k"; done; printenv`;
    const done = await runTask(api, "fuzzed-env", script);
    expect([done.steps[0].status, done.steps[0].error]).toEqual(["success", null]);
    for (const v of accepted) expect([v.key, readFileSync(join(out, v.key), "utf8")]).toEqual([v.key, `${v.value}\n`]);
    const log = await logOf(api, done.id);
    expect(log).toContain("OUT_DIR=");
    for (const v of secrets) expect([v.key, log.includes(v.value)]).toEqual([v.key, false]);
  });

  // SQLite only: a PostgreSQL text value cannot hold a NUL byte at all
  test.skipIf(onPostgres)("rows saved before the rule: the step fails naming the key only, the value shows nowhere, and setting it again mends it", async () => {
    api = await startApi();
    // written straight into the database, as an older version accepted them
    const db = new Database(join(api.server.dir, "lightflow.db"));
    db.query("INSERT INTO variables (key, value, secret) VALUES (?, ?, 1)").run("OLD_NUL", "w8r\u0000w8r-old");
    db.query("INSERT INTO variables (key, value, secret) VALUES (?, ?, 1)").run("OLD_PIN", "7k2");
    db.close();
    const done = await runTask(api, "old-rows", 'echo "$OLD_PIN"');
    expect(done.steps[0].status).toBe("failed");
    expect(done.steps[0].error).toMatch(/^cannot start: variable OLD_(NUL|PIN): /);
    const seen = [JSON.stringify(done), await logOf(api, done.id), JSON.stringify((await api.json("GET", "/api/grid")).body), api.server.output()].join("\n");
    expect(seen).not.toContain("w8r");
    expect(seen).not.toContain("7k2");
    expect((await api.json("PUT", "/api/variables/OLD_NUL", { value: "w9s-new-value" })).status).toBe(200);
    expect((await api.json("PUT", "/api/variables/OLD_PIN", { value: "7k2-longer" })).status).toBe(200);
    const again = (await api.json("POST", "/api/tasks/old-rows/runs")).body;
    const mended = await runEnded(api, again.id);
    expect(mended.steps[0].status).toBe("success");
    expect(await logOf(api, mended.id)).toBe("***\n");
  });
});

describe("a server started by bun run, as bun start does", () => {
  test("gives steps the PATH it was given, no node_modules/.bin, no npm_* variable", async () => {
    const pkg = tempDir("lightflow-pkg-");
    dirs.push(pkg);
    writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "pkg", scripts: { start: `bun ${join(ROOT, "server", "main.ts")} serve` } }));
    // a program only the runner's PATH would find
    mkdirSync(join(pkg, "node_modules", ".bin"), { recursive: true });
    writeFileSync(join(pkg, "node_modules", ".bin", "lf-shadowed"), "#!/bin/sh\necho shadowed\n");
    chmodSync(join(pkg, "node_modules", ".bin", "lf-shadowed"), 0o755);
    const bun = Bun.which("bun")!;
    const shellPath = [...new Set([dirname(bun), "/usr/local/bin", "/usr/bin", "/bin"])].join(delimiter);
    api = await startApi({ command: [bun, "run", "start"], cwd: pkg, env: { PATH: shellPath } });
    const done = await runTask(api, "runner-env", 'printenv PATH; printenv | cut -d= -f1 | grep -E "^(npm_|NODE$|INIT_CWD$)" || true; lf-shadowed || true');
    expect(done.steps[0].status).toBe("success");
    const [path, ...rest] = (await logOf(api, done.id)).trimEnd().split("\n");
    expect(path).toBe(`${join(api.server.dir, "python-libs", "bin")}:${shellPath}`);
    expect(rest).toEqual([expect.stringMatching(/lf-shadowed: (command )?not found/)]);
  });
});
