// Processes and output under stress: many short steps leave no zombie and no
// open descriptor; a flood of output keeps the server answering with bounded
// memory; a full disk fails the step, not the server.
import { afterEach, describe, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { runEnded, startApi, type Api } from "../helpers/api.ts";
import { rssKiB } from "../helpers/procs.ts";
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
