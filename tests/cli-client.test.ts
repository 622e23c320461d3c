// The command-line client (`lightflow tasks | run | runs | logs | cancel`) as a
// subprocess against a real server: output for people, --json, exit codes.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runFinished, startApi, type Api } from "./helpers/api.ts";
import { tempDir } from "./helpers/engine.ts";
import { runCli, startServer } from "./helpers/server.ts";

const ROOT = join(import.meta.dir, "..");

let api: Api;
let env: Record<string, string>;
beforeAll(async () => {
  api = await startApi();
  env = { LIGHTFLOW_URL: api.url, LIGHTFLOW_TOKEN: api.token };
  const sh = (name: string, ...scripts: string[]) => ({
    name,
    steps: scripts.map((script, i) => ({ name: `step${i + 1}`, command: "bash", args: ["-c", script] })),
  });
  for (const task of [
    { ...sh("c-ok", "echo fine"), cron: "0 3 * * *" },
    sh("c-fail", "echo broken; exit 4"),
    sh("c-slow", "sleep 30"),
    { name: "c-two", steps: [{ name: "first", command: "bash", args: ["-c", "echo one; sleep 0.5; echo one-b"] }, { name: "second", command: "bash", args: ["-c", "echo two"] }] },
  ]) {
    const r = await api.json("POST", "/api/tasks", task);
    if (r.status !== 201) throw new Error(`${task.name}: ${r.status} ${JSON.stringify(r.body)}`);
  }
});
afterAll(async () => api?.close());

const cli = (args: string[], extra: Record<string, string> = {}) => runCli(args, { ...env, ...extra });

/** The CLI started, not awaited: for a run that must be acted on while the CLI waits. */
function spawnCli(args: string[]) {
  const proc = Bun.spawn(["bun", join(ROOT, "server", "main.ts"), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? "/root", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
  let text = "";
  return {
    proc,
    /** the first line of stdout */
    async firstLine(): Promise<string> {
      while (!text.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the CLI ended before printing a line: ${text}`);
        text += new TextDecoder().decode(value);
      }
      return text.split("\n")[0]!;
    },
    async rest(): Promise<{ code: number; out: string; err: string }> {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      return { code: await proc.exited, out: text, err: await new Response(proc.stderr).text() };
    },
  };
}

describe("lightflow tasks", () => {
  test("prints a table with schedule, next fire and last run", async () => {
    await cli(["run", "c-ok", "--wait"]);
    const { code, out, err } = await cli(["tasks"]);
    expect(err).toBe("");
    expect(code).toBe(0);
    const lines = out.trim().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+SCHEDULE\s+NEXT FIRE \(UTC\)\s+LAST RUN$/);
    expect(lines.find((l) => l.startsWith("c-ok"))).toMatch(/^c-ok\s+0 3 \* \* \*\s+\d{4}-\d\d-\d\d 03:00:00\s+success \(run \d+\)$/);
    expect(lines.find((l) => l.startsWith("c-slow"))).toMatch(/^c-slow\s+-\s+-\s+(never run|\w+ \(run \d+\))$/);
  });

  test("--json prints the tasks as one document", async () => {
    const { code, out } = await cli(["tasks", "--json"]);
    expect(code).toBe(0);
    const tasks = JSON.parse(out);
    expect(tasks.map((t: any) => t.name)).toEqual(expect.arrayContaining(["c-ok", "c-fail", "c-slow", "c-two"]));
    expect(tasks.find((t: any) => t.name === "c-ok").cron).toBe("0 3 * * *");
  });
});

describe("lightflow run", () => {
  test("without --wait prints the new run's id and exits 0", async () => {
    const { code, out } = await cli(["run", "c-ok"]);
    expect(code).toBe(0);
    expect(out).toMatch(/^\d+\n$/);
    expect((await runFinished(api, Number(out))).status).toBe("success");
  });

  test("--wait exits 0 when the run succeeds", async () => {
    const { code, out } = await cli(["run", "c-ok", "--wait"]);
    expect(code).toBe(0);
    expect(out).toMatch(/^(\d+)\nrun \1: success\n$/);
  });

  test("--wait exits 1 when the run fails", async () => {
    const { code, out } = await cli(["run", "c-fail", "--wait"]);
    expect(code).toBe(1);
    expect(out).toMatch(/^(\d+)\nrun \1: failed\n$/);
  });

  test("--wait exits 1 when the run is cancelled while it waits", async () => {
    const c = spawnCli(["run", "c-slow", "--wait"]);
    const id = Number(await c.firstLine());
    expect(id).toBeGreaterThan(0);
    const cancelled = await cli(["cancel", String(id)]);
    expect(cancelled.code).toBe(0);
    expect(cancelled.out).toMatch(new RegExp(`^run ${id}: \\w+\\n$`));
    const { code, out } = await c.rest();
    expect(code).toBe(1);
    expect(out).toBe(`${id}\nrun ${id}: cancelled\n`);
  });

  test("--wait --json prints the final run", async () => {
    const { code, out } = await cli(["run", "c-fail", "--wait", "--json"]);
    expect(code).toBe(1);
    const run = JSON.parse(out);
    expect(run).toMatchObject({ task: "c-fail", status: "failed", steps: [{ position: 1, status: "failed", exit_code: 4 }] });
  });

  test("--follow prints each step's log in order, after its header", async () => {
    const { code, out, err } = await cli(["run", "c-two", "--follow"]);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toMatch(/^(\d+)\n== step 1 first \((running|success)\) ==\none\none-b\n== step 2 second \((pending|running|success)\) ==\ntwo\nrun \1: success\n$/);
  });

  test("-p NAME=VALUE sends the run's parameters; the step sees them, the run keeps them", async () => {
    const r = await api.json("POST", "/api/tasks", {
      name: "c-params",
      params: [{ name: "DAY", default: "sunday" }, { name: "QUERY" }],
      steps: [{ name: "show", command: "bash", args: ["-c", 'echo "day=$DAY query=$QUERY"'] }],
    });
    expect(r.status).toBe(201);
    const { code, out, err } = await cli(["run", "c-params", "-p", "DAY=monday", "--param=QUERY=a=b c", "--wait", "--json"]);
    expect(err).toBe("");
    expect(code).toBe(0);
    const run = JSON.parse(out);
    expect(run.params).toEqual({ DAY: "monday", QUERY: "a=b c" });
    expect(await (await api.call("GET", `/api/runs/${run.id}/steps/1/log`)).text()).toBe("day=monday query=a=b c\n");
  });

  test("-p with a value the server refuses exits 1 with its sentence; a malformed -p is a usage error", async () => {
    const refused = await cli(["run", "c-params", "-p", "QUERY=x", "-p", "COLOR=red"]);
    expect(refused.code).toBe(1);
    expect(refused.out).toBe("");
    expect(refused.err).toBe("lightflow: params.COLOR: the task has no parameter COLOR (its parameters are DAY, QUERY)\n");
    const missing = await cli(["run", "c-params"]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("params.QUERY: QUERY is required");
    const malformed = await cli(["run", "c-params", "-p", "QUERY"]);
    expect(malformed.code).toBe(2);
    expect(malformed.err.split("\n")[0]).toBe("lightflow: -p QUERY: give it as NAME=VALUE");
  });

  test("an unknown task exits 1 with the server's sentence", async () => {
    const { code, err } = await cli(["run", "c-nothing", "--wait"]);
    expect(code).toBe(1);
    expect(err.trim().split("\n")).toHaveLength(1);
    expect(err).toMatch(/^lightflow: .*c-nothing/);
  });
});

describe("lightflow runs, logs, cancel", () => {
  test("runs TASK lists the runs newest first, as a table and as --json", async () => {
    const first = Number((await cli(["run", "c-fail", "--wait"])).out.split("\n")[0]);
    const second = Number((await cli(["run", "c-fail", "--wait"])).out.split("\n")[0]);
    const table = await cli(["runs", "c-fail"]);
    expect(table.code).toBe(0);
    const lines = table.out.trim().split("\n");
    expect(lines[0]).toMatch(/^RUN\s+STATUS\s+TRIGGER\s+QUEUED \(UTC\)\s+STARTED\s+ENDED\s+STEPS$/);
    expect(lines[1]).toMatch(new RegExp(`^${second}\\s+failed\\s+manual\\s+\\d{4}-.*✗$`));
    const json = await cli(["runs", "c-fail", "--json"]);
    const ids = JSON.parse(json.out).map((r: any) => r.id);
    expect(ids.indexOf(second)).toBeLessThan(ids.indexOf(first));
  });

  test("logs RUN prints every step after its header; logs RUN 2 and logs RUN NAME one step", async () => {
    const id = Number((await cli(["run", "c-two", "--wait"])).out.split("\n")[0]);
    const all = await cli(["logs", String(id)]);
    expect(all.code).toBe(0);
    expect(all.out).toBe("== step 1 first (success) ==\none\none-b\n== step 2 second (success) ==\ntwo\n");
    expect((await cli(["logs", String(id), "2"])).out).toBe("two\n");
    expect((await cli(["logs", String(id), "first"])).out).toBe("one\none-b\n");
    const json = JSON.parse((await cli(["logs", String(id), "--json"])).out);
    expect(json.steps.map((s: any) => [s.name, s.log])).toEqual([["first", "one\none-b\n"], ["second", "two\n"]]);
    const none = await cli(["logs", String(id), "9"]);
    expect(none.code).toBe(2);
  });

  test("logs RUN -f follows a running run to its end", async () => {
    const started = (await api.json("POST", "/api/tasks/c-two/runs")).body;
    const { code, out } = await cli(["logs", String(started.id), "-f"]);
    expect(code).toBe(0);
    expect(out).toMatch(/^== step 1 first \(\w+\) ==\none\none-b\n== step 2 second \(\w+\) ==\ntwo\n$/);
  });

  test("cancel on a finished run exits 1 with the server's sentence", async () => {
    const id = Number((await cli(["run", "c-ok", "--wait"])).out.split("\n")[0]);
    const { code, out, err } = await cli(["cancel", String(id)]);
    expect(code).toBe(1);
    expect(out).toBe("");
    expect(err.trim().split("\n")).toHaveLength(1);
    expect(err).toStartWith("lightflow: ");
  });

  test("cancel --json prints the run", async () => {
    const run = (await api.json("POST", "/api/tasks/c-slow/runs")).body;
    const { code, out } = await cli(["cancel", String(run.id), "--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(out).id).toBe(run.id);
    expect((await runFinished(api, run.id)).status).toBe("cancelled");
  });
});

describe("reaching the server", () => {
  test("a token the server refuses exits 3 with one line", async () => {
    const { code, out, err } = await cli(["tasks"], { LIGHTFLOW_TOKEN: "not-a-token" });
    expect(code).toBe(3);
    expect(out).toBe("");
    expect(err.trim().split("\n")).toHaveLength(1);
    expect(err).toStartWith("lightflow: the server refused the token (");
  });

  test("a closed port exits 3 with one line naming the URL", async () => {
    const gone = await startServer();
    await gone.stop();
    gone.cleanup();
    for (const args of [["tasks"], ["run", "c-ok", "--wait"], ["logs", "1", "-f"]]) {
      const { code, err } = await cli(args, { LIGHTFLOW_URL: gone.url });
      expect(code).toBe(3);
      expect(err.trim().split("\n")).toHaveLength(1);
      expect(err).toStartWith(`lightflow: cannot reach the server at ${gone.url} (`);
    }
  });

  test("--url overrides LIGHTFLOW_URL", async () => {
    const { code } = await cli(["tasks", "--url", api.url], { LIGHTFLOW_URL: "http://127.0.0.1:1" });
    expect(code).toBe(0);
  });

  test("--token-file reads the token from the file's first line", async () => {
    const dir = tempDir();
    const file = join(dir, "token");
    writeFileSync(file, `  ${api.token}  \nsomething else\n`);
    const { code, out } = await cli(["tasks", "--json", "--token-file", file], { LIGHTFLOW_TOKEN: "" });
    expect(code).toBe(0);
    expect(Array.isArray(JSON.parse(out))).toBe(true);
    const missing = await cli(["tasks", "--token-file", join(dir, "nope")]);
    expect(missing.code).toBe(2);
  });

  test("usage errors exit 2 with the usage line", async () => {
    for (const args of [["run"], ["runs"], ["logs"], ["logs", "x"], ["cancel", "abc"], ["tasks", "extra"], ["run", "c-ok", "--frobnicate"], ["run", "c-ok", "--token", "secret"]]) {
      const { code, out, err } = await cli(args);
      expect(code, args.join(" ")).toBe(2);
      expect(out).toBe("");
      expect(err).toContain(`usage: lightflow ${args[0]}`);
    }
    const { code, err } = await cli(["tasks"], { LIGHTFLOW_TOKEN: "" });
    expect(code).toBe(2);
    expect(err).toStartWith("lightflow: no API token");
  });
});
