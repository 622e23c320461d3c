// Re-running a run from its first step that did not succeed, through the API
// of a real server: the steps before it are not run again (the files they
// write stay gone), the failed one and the `always` ones run, the new run
// links to the original and keeps its parameters.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runFinished, startApi, type Api } from "./helpers/api.ts";
import { tempDir } from "./helpers/tmp.ts";

let api: Api;
let dir: string;
beforeAll(async () => {
  api = await startApi();
  dir = tempDir();
});
afterAll(async () => {
  await api?.close();
});

const sh = (name: string, script: string, run_rule = "on_success") => ({ name, command: "bash", args: ["-c", script], run_rule });

describe("POST /api/runs/:run/retry", () => {
  let failed: any;
  beforeAll(async () => {
    const steps = [
      sh("extract", `echo x > ${dir}/extract.done`),
      sh("transform", `echo x > ${dir}/transform.done`),
      sh("load", `echo "load $TARGET" >> ${dir}/load.log; test -e ${dir}/fixed`),
      sh("report", "echo never"),
      sh("cleanup", `echo "cleanup $TARGET" >> ${dir}/cleanup.log`, "always"),
    ];
    await api.json("POST", "/api/tasks", { name: "etl", params: [{ name: "TARGET", default: "db0" }], steps });
    const r = await api.json("POST", "/api/tasks/etl/runs", { params: { TARGET: "db7" } });
    failed = await runFinished(api, r.body.id);
  });

  test("the original run failed at its third step", () => {
    expect(failed.status).toBe("failed");
    expect(failed.steps.map((s: any) => s.status)).toEqual(["success", "success", "failed", "not_run", "success"]);
  });

  test("queues a run that skips the two successful steps and re-runs the failed third, with the same parameters", async () => {
    rmSync(join(dir, "extract.done"));
    rmSync(join(dir, "transform.done"));
    writeFileSync(join(dir, "fixed"), "");
    const r = await api.json("POST", `/api/runs/${failed.id}/retry`);
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ trigger: "retry", retry_of: failed.id, params: { TARGET: "db7" }, triggered_by: "admin@example.com" });
    const run = await runFinished(api, r.body.id);
    expect(run.status).toBe("success");
    expect(run.steps.map((s: any) => [s.status, s.done_in])).toEqual([
      ["skipped", failed.id],
      ["skipped", failed.id],
      ["success", null],
      ["success", null],
      ["success", null],
    ]);
    // the skipped steps did not run: the files they write are still gone
    expect(existsSync(join(dir, "extract.done"))).toBe(false);
    expect(existsSync(join(dir, "transform.done"))).toBe(false);
    expect(readFileSync(join(dir, "load.log"), "utf8")).toBe("load db7\nload db7\n");
    // the `always` step ran in both runs
    expect(readFileSync(join(dir, "cleanup.log"), "utf8")).toBe("cleanup db7\ncleanup db7\n");
    // a skipped step has no log
    expect(run.steps[0].log_bytes).toBe(0);
    // the grid says the same
    const grid = (await api.json("GET", "/api/grid")).body;
    const shown = grid.tasks.find((t: any) => t.name === "etl").runs.find((x: any) => x.id === run.id);
    expect(shown.retry_of).toBe(failed.id);
    expect(shown.steps[1]).toMatchObject({ status: "skipped", done_in: failed.id });
    const audit = (await api.json("GET", "/api/audit")).body;
    expect(audit.find((a: any) => a.action === "run.retry").detail).toBe(`run ${run.id} retries run ${failed.id} from step 3`);
  });

  test("a run that succeeded cannot be retried (409)", async () => {
    const ok = (await api.json("GET", "/api/tasks/etl/runs?limit=1")).body[0];
    expect(ok.status).toBe("success");
    const r = await api.json("POST", `/api/runs/${ok.id}/retry`);
    expect(r.status).toBe(409);
    expect(r.body.error).toContain(`run ${ok.id} succeeded`);
  });

  test("a run still running cannot be retried (409)", async () => {
    await api.json("POST", "/api/tasks", { name: "slow", steps: [{ name: "wait", command: "sleep", args: ["60"] }] });
    const live = (await api.json("POST", "/api/tasks/slow/runs")).body;
    const r = await api.json("POST", `/api/runs/${live.id}/retry`);
    expect(r.status).toBe(409);
    expect(r.body.error).toMatch(new RegExp(`run ${live.id} is still (queued|running)`));
    await api.call("POST", `/api/runs/${live.id}/cancel`);
    const cancelled = await runFinished(api, live.id);
    // a cancelled run may be retried: from its cancelled step
    const again = await api.json("POST", `/api/runs/${cancelled.id}/retry`);
    expect(again.status).toBe(202);
    expect(again.body.steps[0].done_in).toBeNull();
    expect(again.body.steps[0].status).not.toBe("skipped");
    await api.call("POST", `/api/runs/${again.body.id}/cancel`);
    await runFinished(api, again.body.id);
  });

  test("a task that already has a queued run is not retried (409 naming that run)", async () => {
    await api.json("POST", "/api/tasks", { name: "crowded", steps: [sh("a", `test -e ${dir}/crowded-ok || exit 3; sleep 60`)] });
    const failedRun = await runFinished(api, (await api.json("POST", "/api/tasks/crowded/runs")).body.id);
    writeFileSync(join(dir, "crowded-ok"), "");
    const running = (await api.json("POST", "/api/tasks/crowded/runs")).body;
    const queued = (await api.json("POST", "/api/tasks/crowded/runs")).body;
    expect(queued.id).not.toBe(running.id);
    const r = await api.json("POST", `/api/runs/${failedRun.id}/retry`);
    expect(r.status).toBe(409);
    expect(r.body.error).toContain(`run ${queued.id} of crowded is already queued`);
    await api.call("POST", `/api/runs/${queued.id}/cancel`);
    await api.call("POST", `/api/runs/${running.id}/cancel`);
    await runFinished(api, running.id);
  });

  test("a retry of a retry keeps pointing at the run where each step was done", async () => {
    await api.json("POST", "/api/tasks", { name: "twice", steps: [sh("a", "true"), sh("b", `test -e ${dir}/b-ok`), sh("c", `test -e ${dir}/c-ok`)] });
    const first = await runFinished(api, (await api.json("POST", "/api/tasks/twice/runs")).body.id);
    writeFileSync(join(dir, "b-ok"), "");
    const second = await runFinished(api, (await api.json("POST", `/api/runs/${first.id}/retry`)).body.id);
    expect(second.steps.map((s: any) => s.status)).toEqual(["skipped", "success", "failed"]);
    writeFileSync(join(dir, "c-ok"), "");
    const third = await runFinished(api, (await api.json("POST", `/api/runs/${second.id}/retry`)).body.id);
    expect(third.status).toBe("success");
    expect(third.steps.map((s: any) => [s.status, s.done_in])).toEqual([
      ["skipped", first.id],
      ["skipped", second.id],
      ["success", null],
    ]);
  });

  test("a task whose steps before the failed one changed is not retried (409); a viewer may not retry (403); no such run is 404", async () => {
    await api.json("POST", "/api/tasks", { name: "edited", steps: [sh("a", "true"), sh("b", "false")] });
    const run = await runFinished(api, (await api.json("POST", "/api/tasks/edited/runs")).body.id);
    await api.json("PUT", "/api/tasks/edited", { name: "edited", steps: [sh("a2", "true"), sh("b", "true")] });
    const r = await api.json("POST", `/api/runs/${run.id}/retry`);
    expect(r.status).toBe(409);
    expect(r.body.error).toContain('step 1 was "a", is now "a2"');
    const viewer = await api.user("viewer@example.com", "viewer");
    const v = await fetch(`${api.url}/api/runs/${run.id}/retry`, { method: "POST", headers: { authorization: `Bearer ${viewer.token}` } });
    expect(v.status).toBe(403);
    expect((await api.json("POST", "/api/runs/999999/retry")).status).toBe(404);
  });
});

test("a step edited to run another command since the failed run cannot count as done: 409, nothing queued", async () => {
  await api.json("POST", "/api/tasks", { name: "step-edited", steps: [sh("prepare", "true"), sh("work", "exit 1")] });
  const r = await api.json("POST", "/api/tasks/step-edited/runs");
  const failed = await runFinished(api, r.body.id);
  expect(failed.status).toBe("failed");
  expect((await api.json("PUT", "/api/tasks/step-edited", { name: "step-edited", steps: [sh("prepare", "echo changed"), sh("work", "true")] })).status).toBe(200);
  const retry = await api.json("POST", `/api/runs/${failed.id}/retry`);
  expect(retry.status).toBe(409);
  expect(retry.body.error).toMatch(/step 1 .*another command/);
  const runs = await api.json("GET", "/api/tasks/step-edited/runs");
  expect((runs.body.runs ?? runs.body).length).toBe(1);
});
