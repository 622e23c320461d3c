// Steps as real processes: exit codes, rules, timeouts, cancel, environment, logs.
import { afterEach, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeEngine, sh, step, taskDef, type TestEngine } from "../../tests/helpers/engine.ts";
import { processExecutor, StartError } from "./executor.ts";
import { FileLogStore } from "./logs.ts";
import { logRef } from "./logstore.ts";
import { procStartTime, signalProcesses } from "./proc.ts";
import { TOKEN_VAR } from "./runner.ts";
import type { Run, StepStatus } from "./types.ts";
import { processesWith } from "../../tests/helpers/procs.ts";

let te: TestEngine;
afterEach(async () => te?.close());

async function runOnce(t: TestEngine, def: Parameters<TestEngine["engine"]["createTask"]>[0]): Promise<Run> {
  const task = t.engine.createTask(def);
  const { run } = t.engine.trigger(task, "tester");
  return t.finished(run.id);
}

function logOf(t: TestEngine, run: Run, position: number): string {
  return readFileSync(new FileLogStore(t.dir).path(logRef(run, run.steps[position - 1]!, 1)), "utf8");
}


describe("exit codes become step statuses", () => {
  test("0 is success, 75 is skipped, other codes and signals are failed", async () => {
    te = await makeEngine();
    const run = await runOnce(
      te,
      taskDef("codes", [
        step("ok", "true"),
        sh("skip", "exit 75", { run_rule: "always" }),
        sh("three", "exit 3", { run_rule: "always" }),
        sh("killed", "kill -KILL $$", { run_rule: "always" }),
      ]),
    );
    expect(run.steps.map((s) => [s.status, s.exit_code, s.signal])).toEqual([
      ["success", 0, null],
      ["skipped", 75, null],
      ["failed", 3, null],
      ["failed", null, "SIGKILL"],
    ]);
    expect(run.status).toBe("failed");
  });

  test("a run whose steps all succeed or skip is a success", async () => {
    te = await makeEngine();
    const run = await runOnce(te, taskDef("green", [step("a", "true"), sh("b", "exit 75")]));
    expect(run.status).toBe("success");
    expect(run.steps.map((s) => s.status)).toEqual(["success", "skipped"]);
  });

  test("a program that cannot start fails with the reason in its log and its error", async () => {
    te = await makeEngine();
    writeFileSync(join(te.config.scriptsDir, "notexec.sh"), "#!/bin/sh\necho hi\n");
    chmodSync(join(te.config.scriptsDir, "notexec.sh"), 0o640);
    const run = await runOnce(
      te,
      taskDef("nostart", [
        step("missing", "no-such-program-xyz"),
        step("notexec", "./notexec.sh", [], { run_rule: "always" }),
      ]),
    );
    expect(run.steps[0]!.status).toBe("failed");
    expect(run.steps[0]!.error).toContain("command not found");
    expect(logOf(te, run, 1)).toContain("no-such-program-xyz");
    expect(run.steps[1]!.status).toBe("failed");
    expect(run.steps[1]!.error).toContain("not executable");
  });

  test("a relative command with a slash resolves in the scripts directory", async () => {
    te = await makeEngine();
    writeFileSync(join(te.config.scriptsDir, "hello.sh"), "#!/bin/sh\necho hello from $PWD\n");
    chmodSync(join(te.config.scriptsDir, "hello.sh"), 0o750);
    const run = await runOnce(te, taskDef("rel", [step("hello", "./hello.sh")]));
    expect(run.status).toBe("success");
    expect(logOf(te, run, 1)).toBe(`hello from ${te.config.scriptsDir}\n`);
  });
});

describe("run rules", () => {
  test("after a failure on_success steps are not run and always steps still run", async () => {
    te = await makeEngine();
    const run = await runOnce(
      te,
      taskDef("rules", [sh("fail", "exit 1"), step("next", "true"), step("cleanup", "true", [], { run_rule: "always" })]),
    );
    expect(run.steps.map((s) => s.status)).toEqual(["failed", "not_run", "success"]);
  });

  test("every step is listed as pending from the moment the run is queued", async () => {
    te = await makeEngine();
    const task = te.engine.createTask(taskDef("listed", [step("a", "true"), step("b", "true")]));
    const { run } = te.engine.trigger(task, null);
    expect(run.status).toBe("queued");
    expect(run.steps.map((s) => [s.name, s.status])).toEqual([["a", "pending"], ["b", "pending"]]);
    await te.finished(run.id);
  });
});

describe("timeout and cancel kill the whole process tree", () => {
  test("a timed-out step's tree dies, even a grandchild that ignores SIGTERM; always steps still run", async () => {
    te = await makeEngine({ LIGHTFLOW_KILL_GRACE_S: "1" });
    const marker = `m${Math.random().toString(36).slice(2)}`;
    te.stores.variables.insert({ key: "TEST_MARKER", value: marker, secret: false });
    const run = await runOnce(
      te,
      taskDef("timeout", [
        sh("stuck", `trap "" TERM; sleep 300 & sleep 300`, { timeout_s: 1 }),
        step("after", "true"),
        step("cleanup", "true", [], { run_rule: "always" }),
      ]),
    );
    expect(run.steps.map((s) => s.status)).toEqual(["timed_out", "not_run", "success"]);
    expect(run.status).toBe("failed");
    expect(logOf(te, run, 1)).toContain("timed out after 1 s");
    expect(processesWith("TEST_MARKER", marker)).toEqual([]);
  });

  test("a step that escapes its process group with setsid is still killed on timeout", async () => {
    te = await makeEngine({ LIGHTFLOW_KILL_GRACE_S: "1" });
    const marker = `m${Math.random().toString(36).slice(2)}`;
    te.stores.variables.insert({ key: "TEST_MARKER", value: marker, secret: false });
    const run = await runOnce(te, taskDef("escape", [sh("daemon", `setsid sleep 300 > /dev/null 2>&1 & sleep 300`, { timeout_s: 1 })]));
    expect(run.steps[0]!.status).toBe("timed_out");
    expect(processesWith("TEST_MARKER", marker)).toEqual([]);
  });

  test("cancelling a running run kills its step, skips on_success steps and runs always steps", async () => {
    te = await makeEngine();
    const marker = `m${Math.random().toString(36).slice(2)}`;
    te.stores.variables.insert({ key: "TEST_MARKER", value: marker, secret: false });
    const task = te.engine.createTask(
      taskDef("cancel", [
        sh("long", "echo started; sleep 300 & wait"),
        step("next", "true"),
        sh("cleanup", "echo cleaned", { run_rule: "always" }),
      ]),
    );
    const running = te.waitRun((r) => r.task === "cancel" && r.steps[0]!.status === "running");
    const { run } = te.engine.trigger(task, null);
    await running;
    const result = te.engine.cancel(run.id);
    expect(typeof result).toBe("object");
    const done = await te.finished(run.id);
    expect(done.status).toBe("cancelled");
    expect(done.steps.map((s) => s.status)).toEqual(["cancelled", "not_run", "success"]);
    expect(logOf(te, done, 3)).toBe("cleaned\n");
    expect(processesWith("TEST_MARKER", marker)).toEqual([]);
    expect(te.engine.cancel(run.id)).toBe("run_finished");
  });

  test("background processes a step leaves behind end with it", async () => {
    te = await makeEngine();
    const marker = `m${Math.random().toString(36).slice(2)}`;
    te.stores.variables.insert({ key: "TEST_MARKER", value: marker, secret: false });
    const run = await runOnce(te, taskDef("bg", [sh("bg", "sleep 300 & echo left")]));
    expect(run.steps[0]!.status).toBe("success");
    expect(processesWith("TEST_MARKER", marker)).toEqual([]);
  });
});

describe("step environment", () => {
  test("variables and run facts are set; the server's own settings are not", async () => {
    te = await makeEngine({ SMTP_PASSWORD: "hunter22", LIGHTFLOW_ADMIN_EMAIL: "a@b.c" });
    te.stores.variables.insert({ key: "GREETING", value: "hi\nthere", secret: false });
    const run = await runOnce(
      te,
      taskDef("env", [sh("show", 'echo "$GREETING|$LIGHTFLOW_TASK|$LIGHTFLOW_STEP|$LIGHTFLOW_STEP_POSITION|$LIGHTFLOW_TRIGGER|$LIGHTFLOW_SCHEDULED_FOR|$LIGHTFLOW_RUN_ID|${SMTP_PASSWORD-unset}|${LIGHTFLOW_ADMIN_EMAIL-unset}"; echo "$PATH"; [ -t 0 ] || read -r x || echo "stdin closed"')]),
    );
    const [line1, line2, path, stdin] = logOf(te, run, 1).split("\n");
    expect(line1).toBe("hi");
    expect(line2).toBe(`there|env|show|1|manual||${run.id}|unset|unset`);
    expect(path!.startsWith(`${te.config.pythonLibsDir}/bin:`)).toBe(true);
    expect(stdin).toBe("stdin closed");
  });

  test("stdout and stderr are interleaved in the order they were written", async () => {
    te = await makeEngine();
    const run = await runOnce(te, taskDef("order", [sh("mix", "for i in 1 2 3; do echo out$i; echo err$i >&2; done")]));
    expect(logOf(te, run, 1)).toBe("out1\nerr1\nout2\nerr2\nout3\nerr3\n");
  });
});

describe("logs", () => {
  test("a secret value is masked even when split across two writes", async () => {
    te = await makeEngine();
    te.stores.variables.insert({ key: "TOKEN", value: "s3cr3t-value", secret: true });
    const run = await runOnce(te, taskDef("mask", [sh("leak", `printf 'key=s3cr'; sleep 0.3; printf "3t-value and $TOKEN\\n"`)]));
    const text = logOf(te, run, 1);
    expect(text).toBe("key=*** and ***\n");
    expect(run.steps[0]!.log_bytes).toBe(text.length);
  });

  test("a log stops at the cap with one marker line and the step is not killed", async () => {
    te = await makeEngine({ LIGHTFLOW_MAX_LOG_MB: "1" });
    const run = await runOnce(te, taskDef("big", [sh("flood", "head -c 3000000 /dev/zero | tr '\\0' x; echo done >&2")]));
    expect(run.steps[0]!.status).toBe("success");
    const text = logOf(te, run, 1);
    expect(text.startsWith("x".repeat(1024 * 1024))).toBe(true);
    expect(text.slice(1024 * 1024)).toMatch(/^\n\[lightflow\] log reached its cap of 1 MB.*\n$/);
    expect(text).not.toContain("done");
  });

  test("a step that prints nothing leaves no file; its first byte makes the file and the run's folder", async () => {
    te = await makeEngine();
    const run = await runOnce(te, taskDef("quiet", [step("silent", "true"), sh("talks", "echo hi")]));
    expect(run.steps.map((s) => [s.status, s.log_bytes])).toEqual([["success", 0], ["success", 3]]);
    const logs = new FileLogStore(te.dir);
    expect(existsSync(logs.path(logRef(run, run.steps[0]!)))).toBe(false);
    expect(logOf(te, run, 2)).toBe("hi\n");
    expect(statSync(logs.runDir("quiet", run.id)).mode & 0o777).toBe(0o700);
  });
});

describe("recovery facts", () => {
  test("a running step's pid and /proc start time are recorded for a restart after a crash", async () => {
    te = await makeEngine();
    const task = te.engine.createTask(taskDef("long", [sh("wait", 'while [ ! -e go ]; do sleep 0.02; done')]));
    const running = te.waitRun((r) => r.task === "long" && r.steps[0]!.status === "running");
    const { run } = te.engine.trigger(task, null);
    await running;
    let live = te.stores.runs.liveStep(run.id, 1)!;
    for (let i = 0; live.pid_start === null && i < 1000; i++) {
      await Bun.sleep(10); // written once the read of /proc, off the event loop, is back
      live = te.stores.runs.liveStep(run.id, 1)!;
    }
    expect(live.pid).not.toBeNull();
    expect(live.pid_start).toBe(procStartTime(live.pid!));
    // a write for an attempt that is no longer the step's current one is ignored
    te.stores.runs.stepSpawned(run.id, 1, "an-old-token", 1, 1);
    expect(te.stores.runs.liveStep(run.id, 1)).toMatchObject({ pid: live.pid, pid_start: live.pid_start });
    writeFileSync(join(te.dir, "scripts", "go"), "");
    await te.finished(run.id);
  });
});

describe("variables no step can be given", () => {
  // rows like these were accepted before the API refused them; they must not leak when a step starts
  test("a secret saved with a NUL byte fails the step naming its key, never its value", async () => {
    te = await makeEngine();
    te.stores.variables.insert({ key: "NUL_SECRET", value: "qzv8\0w9f3k", secret: true });
    const run = await runOnce(te, taskDef("nul", [sh("a", "echo never"), step("b", "true", [], { run_rule: "always" })]));
    expect(run.steps.map((s) => s.status)).toEqual(["failed", "failed"]);
    const error = run.steps[0]!.error!;
    expect(error).toContain("variable NUL_SECRET");
    expect(error).toContain("NUL byte");
    for (const text of [error, logOf(te, run, 1), JSON.stringify(te.stores.runs.get(run.id))]) {
      expect(text).not.toContain("9f3k");
      expect(text).not.toContain("qzv8");
    }
  });

  test("a secret saved shorter than 4 characters fails the step instead of being printed in clear", async () => {
    te = await makeEngine();
    te.stores.variables.insert({ key: "PIN", value: "4q7", secret: true });
    const run = await runOnce(te, taskDef("short", [sh("show", 'echo "pin=$PIN"')]));
    expect(run.steps[0]!.status).toBe("failed");
    expect(run.steps[0]!.error).toBe("cannot start: variable PIN: a secret must be at least 4 characters, so it can be masked in logs; set it again on the Variables page");
    expect(logOf(te, run, 1)).not.toContain("4q7");
  });

  test("a variable too long for an environment fails the step naming its key", async () => {
    te = await makeEngine();
    te.stores.variables.insert({ key: "BIG", value: "é".repeat(65536), secret: false });
    const run = await runOnce(te, taskDef("big", [step("a", "true")]));
    expect(run.steps[0]!.status).toBe("failed");
    expect(run.steps[0]!.error).toStartWith("cannot start: variable BIG: too long for a program's environment");
  });

  test("a spawn that fails quotes no value of the environment", () => {
    const start = (env: Record<string, string>) => () =>
      processExecutor.start({ command: "true", args: [], cwd: "/", env: { PATH: process.env.PATH!, ...env }, token: { name: TOKEN_VAR, value: "t" } });
    expect(start({ SECRET: "hunter2\0-tail-7c1" })).toThrow(new StartError(`cannot start ${Bun.which("true")}: invalid environment (a NUL byte)`));
    expect(start({ SECRET: "x".repeat(200_000) })).toThrow(/^cannot start \S+: its environment and arguments are too large \(E2BIG\)$/);
    expect(start({ PATH: "/nonexistent-9d2e" })).toThrow(new StartError(`command not found: "true" is not in the steps' PATH`));
  });
});

describe("processes that escape with setsid end with the step, at every end", () => {
  const ESCAPE = "setsid sleep 1000 >/dev/null 2>&1 &";
  const ENDED: ReadonlySet<StepStatus> = new Set(["success", "skipped", "failed", "timed_out", "cancelled"]);

  /** At each step's end, as the engine publishes it, the processes still carrying that step's token. */
  function survivorsAtEachEnd(t: TestEngine): Map<string, number[]> {
    const seen = new Map<string, number[]>();
    t.engine.bus.on((e) => {
      if (e.type !== "run") return;
      for (const s of e.run.steps) {
        const key = `${e.run.id}/${s.name}`;
        if (!ENDED.has(s.status) || seen.has(key)) continue;
        seen.set(key, processesWith(TOKEN_VAR, t.stores.runs.liveStep(e.run.id, s.position)!.token!));
      }
    });
    return seen;
  }

  let marker = "";
  afterEach(() => signalProcesses(processesWith("TEST_MARKER", marker), "SIGKILL")); // what a failing run left

  test("a step that exits 0 right after starting one leaves none, 20 times out of 20", async () => {
    te = await makeEngine();
    marker = `m${Math.random().toString(36).slice(2)}`;
    te.stores.variables.insert({ key: "TEST_MARKER", value: marker, secret: false });
    const survivors = survivorsAtEachEnd(te);
    const task = te.engine.createTask(taskDef("escape0", [sh("s", `${ESCAPE} exit 0`)]));
    for (let i = 0; i < 20; i++) {
      const run = await te.finished(te.engine.trigger(task, null).run.id);
      expect(run.steps[0]!.status).toBe("success");
    }
    expect([...survivors.values()].filter((pids) => pids.length)).toEqual([]);
    expect(survivors.size).toBe(20);
    expect(processesWith("TEST_MARKER", marker)).toEqual([]);
  });

  test("skipped, failed, timed-out and cancelled steps leave none either", async () => {
    te = await makeEngine({ LIGHTFLOW_KILL_GRACE_S: "1" });
    marker = `m${Math.random().toString(36).slice(2)}`;
    te.stores.variables.insert({ key: "TEST_MARKER", value: marker, secret: false });
    const survivors = survivorsAtEachEnd(te);
    const always = { run_rule: "always" as const };
    // the escape races the step's end: each quick end five times
    const quick = [1, 2, 3, 4, 5].flatMap((i) => [
      sh(`skip${i}`, `${ESCAPE} exit 75`, always),
      sh(`fail${i}`, `${ESCAPE} exit 3`, always),
      sh(`signal${i}`, `${ESCAPE} kill -KILL $$`, always),
    ]);
    const run = await runOnce(te, taskDef("ends", [...quick, sh("slow", `${ESCAPE} sleep 300`, { ...always, timeout_s: 1 })]));
    expect(run.steps.map((s) => s.status)).toEqual([...Array(5).fill(["skipped", "failed", "failed"]).flat(), "timed_out"]);
    const task = te.engine.createTask(taskDef("cancelled", [sh("long", `${ESCAPE} echo started; sleep 300`)]));
    const { run: second } = te.engine.trigger(task, null);
    // cancelled once it has started its escaped process
    await new Promise<void>((resolve) => te.engine.bus.onLog(second.id, 1, { chunk: () => resolve(), end: () => {} }));
    te.engine.cancel(second.id);
    expect((await te.finished(second.id)).steps[0]!.status).toBe("cancelled");
    expect(survivors.size).toBe(17);
    expect([...survivors.entries()].filter(([, pids]) => pids.length)).toEqual([]);
    expect(processesWith("TEST_MARKER", marker)).toEqual([]);
  });
});
