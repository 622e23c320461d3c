// Processes and output under stress: many short steps leave no zombie and no
// open descriptor; nothing a step started outlives it, however it ended; a
// flood of output keeps the server answering with bounded memory; a full disk
// fails the step, not the server.
import { afterEach, describe, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { runEnded, startApi, type Api } from "../helpers/api.ts";
import { processesWith, rssKiB } from "../helpers/procs.ts";
import { signalProcesses } from "../../server/engine/proc.ts";
import { pick } from "../helpers/soak.ts";

let api: Api | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe("many short steps", () => {
  const COUNT = pick(1000, 5000);
  test(`${COUNT} steps leave no zombie and no open file descriptor behind`, async () => {
    const probe = Bun.spawn(["bun", join(import.meta.dir, "steps-probe.ts"), String(COUNT)], { stdout: "pipe", stderr: "inherit" });
    const out = await new Response(probe.stdout).text();
    expect(await probe.exited).toBe(0);
    const { before, after, zombies } = JSON.parse(out.trim().split("\n").at(-1)!);
    expect(zombies).toEqual([]);
    // nothing new stays open (one from before may have been collected meanwhile)
    expect(after.filter((fd: string) => !before.includes(fd))).toEqual([]);
    expect(after.length).toBeLessThanOrEqual(before.length);
    expect(after.length).toBeGreaterThan(3); // stdio and the database at least: the probe did look
  });
});

describe("processes that escape their step", () => {
  // ways out of the step's process group, each racing the step's end
  const ESCAPES = [
    "setsid sleep 1000 >/dev/null 2>&1 &",
    "setsid -f sleep 1000 >/dev/null 2>&1;",
    "( setsid sleep 1000 >/dev/null 2>&1 & ) ;",
    "nohup setsid bash -c 'sleep 1000' >/dev/null 2>&1 &",
  ];
  const ROUNDS = pick(5, 50);
  // run by each `always` step first: any process of an earlier step of this run still alive?
  const CHECK =
    'f=$(grep -lzx "LIGHTFLOW_TASK=$LIGHTFLOW_TASK" /proc/[0-9]*/environ 2>/dev/null); [ -z "$f" ] || grep -Lzx "LIGHTFLOW_STEP=$LIGHTFLOW_STEP" $f 2>/dev/null | sed "s/^/survivor /"; ';

  test(`none survives a step's end, whatever the end: ${ROUNDS} rounds of success, skipped, failed, killed, timed out and cancelled`, async () => {
    api = await startApi();
    const task = `escapes-${Date.now()}`;
    const steps = ESCAPES.flatMap((escape, i) => [
      { name: `ok${i}`, script: `${escape} exit 0` },
      { name: `skip${i}`, script: `${escape} exit 75` },
      { name: `fail${i}`, script: `${escape} exit 3` },
      { name: `killed${i}`, script: `${escape} kill -KILL $$` },
    ]).map(({ name, script }) => ({ name, command: "bash", args: ["-c", CHECK + script], run_rule: "always" }));
    steps.push({ name: "slow", command: "bash", args: ["-c", `${CHECK} ${ESCAPES[0]} sleep 300`], run_rule: "always", timeout_s: 1 } as (typeof steps)[number]);
    steps.push({ name: "last", command: "bash", args: ["-c", `${CHECK} true`], run_rule: "always" });
    expect((await api.json("POST", "/api/tasks", { name: task, steps })).status).toBe(201);
    await api.json("POST", "/api/tasks", { name: `${task}-c`, steps: [{ name: "long", command: "bash", args: ["-c", `${ESCAPES[0]} echo started; sleep 300`] }] });
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const run = (await api.json("POST", `/api/tasks/${task}/runs`)).body;
        const done = await runEnded(api, run.id);
        expect(done.steps.map((s: { status: string }) => s.status)).toEqual([...Array(ESCAPES.length).fill(["success", "skipped", "failed", "failed"]).flat(), "timed_out", "success"]);
        for (const s of done.steps) {
          const log = await (await api.call("GET", `/api/runs/${run.id}/steps/${s.position}/log`)).text();
          expect(log.split("\n").filter((l) => l.startsWith("survivor"))).toEqual([]);
        }
        expect(processesWith("LIGHTFLOW_TASK", task)).toEqual([]);

        const cancelled = (await api.json("POST", `/api/tasks/${task}-c/runs`)).body;
        const mark = api.server.output().length;
        await waitForLog(api, cancelled.id, "started");
        await api.json("POST", `/api/runs/${cancelled.id}/cancel`);
        await api.server.waitForText(new RegExp(`run ${cancelled.id} of \\S+ ended `), mark);
        expect(processesWith("LIGHTFLOW_TASK", `${task}-c`)).toEqual([]);
      }
    } finally {
      for (const name of [task, `${task}-c`]) signalProcesses(processesWith("LIGHTFLOW_TASK", name), "SIGKILL");
    }
  });
});

/** Resolves once the step's log holds `text` (the log is read with ?follow=1, no polling). */
async function waitForLog(a: Api, runId: number, text: string): Promise<void> {
  const res = await a.call("GET", `/api/runs/${runId}/steps/1/log?follow=1`);
  const reader = res.body!.getReader();
  let seen = "";
  while (!seen.includes(text)) {
    const { done, value } = await reader.read();
    if (done) break;
    seen += new TextDecoder().decode(value);
  }
  await reader.cancel();
}

describe("output floods", () => {
  test("a step writing 1 GB fast: the API keeps answering, the log stays at the cap, memory stays bounded", async () => {
    api = await startApi({ env: { LIGHTFLOW_MAX_LOG_MB: "8" } });
    const gb = pick(1, 4);
    await api.json("POST", "/api/tasks", { name: "flood", steps: [{ name: "s", command: "bash", args: ["-c", `head -c ${gb}000000000 /dev/zero`] }] });
    const run = (await api.json("POST", "/api/tasks/flood/runs")).body;
    let answered = 0;
    let maxRss = 0;
    const ended = runEnded(api, run.id).then((r) => ((finished = true), r));
    let finished = false;
    while (!finished) {
      // the server answers while it drains the flood (counted, not timed)
      const r = await api.call("GET", "/api/grid");
      expect(r.status).toBe(200);
      answered++;
      maxRss = Math.max(maxRss, rssKiB(api.server.proc.pid));
    }
    const done = await ended;
    expect(answered).toBeGreaterThan(1);
    expect(done.status).toBe("success");
    expect(done.steps[0].log_bytes).toBeLessThan(8 * 1024 * 1024 + 200);
    expect(maxRss).toBeLessThan(300 * 1024); // KiB: the flood is drained, never held
  });
});

describe("a full disk", () => {
  test("the step fails with a clear error and the server keeps running", async () => {
    api = await startApi();
    const logs = join(api.server.dir, "logs", "fill");
    mkdirSync(logs, { recursive: true });
    let mounted = false;
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", logs], { stdio: "ignore" });
      mounted = true;
    } catch {
      // no mount allowed here: the first run's log file is /dev/full, which fails every write with ENOSPC
      mkdirSync(join(logs, "1"), { recursive: true });
      symlinkSync("/dev/full", join(logs, "1", "1-s.log"));
    }
    try {
      await api.json("POST", "/api/tasks", { name: "fill", steps: [{ name: "s", command: "bash", args: ["-c", "head -c 1000000 /dev/zero | tr '\\0' x"] }, { name: "after", command: "true" }] });
      const run = (await api.json("POST", "/api/tasks/fill/runs")).body;
      const done = await runEnded(api, run.id);
      expect(done.steps[0].status).toBe("failed");
      expect(done.steps[0].error).toBe("cannot write the step log: ENOSPC");
      expect(done.steps[1].status).toBe("not_run");
      expect((await api.json("GET", "/api/alive")).body).toEqual({ ok: true });
    } finally {
      if (mounted) execFileSync("umount", ["-l", logs]);
    }
  });
});
