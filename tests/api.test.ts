// The HTTP API against the real server: tasks, runs, logs, grid, pools,
// variables, preview, OpenAPI. One server for the file; each test uses its own names.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { runEnded, startApi, type Api } from "./helpers/api.ts";

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => api?.close());

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const shTask = (name: string, script: string, extra: Record<string, unknown> = {}) => ({
  name,
  steps: [{ name: "s", command: "bash", args: ["-c", script] }],
  ...extra,
});

async function createAndRun(name: string, script: string): Promise<any> {
  expect((await api.json("POST", "/api/tasks", shTask(name, script))).status).toBe(201);
  const { status, body } = await api.json("POST", `/api/tasks/${name}/runs`);
  expect(status).toBe(202);
  return body;
}

describe("tasks", () => {
  test("create fills defaults, returns UTC times and the next fire time", async () => {
    const { status, body } = await api.json("POST", "/api/tasks", shTask("t-create", "true", { cron: "0 3 * * *" }));
    expect(status).toBe(201);
    expect(body).toMatchObject({ name: "t-create", description: "", cron: "0 3 * * *", enabled: true, pool: null, catchup: false });
    expect(body.steps[0]).toEqual({ name: "s", command: "bash", args: ["-c", "true"], run_rule: "on_success", timeout_s: 3600, retries: 0, retry_delay_s: 10, run_as: null });
    expect(body).toMatchObject({ start_deadline_s: null, alert_emails: [] });
    expect(body.created_at).toMatch(ISO);
    expect(body.next_fire_at).toMatch(/T03:00:00\.000Z$/);
    expect(Date.parse(body.next_fire_at)).toBeGreaterThan(Date.now());
  });

  test("a task is found by name or by id; disabling clears next_fire_at at once", async () => {
    const created = (await api.json("POST", "/api/tasks", shTask("t-find", "true", { cron: "*/5 * * * *" }))).body;
    expect((await api.json("GET", `/api/tasks/${created.id}`)).body.name).toBe("t-find");
    const patched = await api.json("PATCH", "/api/tasks/t-find", { enabled: false });
    expect(patched.status).toBe(200);
    expect(patched.body.next_fire_at).toBeNull();
    expect((await api.json("GET", "/api/tasks/t-find")).body.enabled).toBe(false);
  });

  test("PUT replaces the whole task, including a rename", async () => {
    await api.json("POST", "/api/tasks", shTask("t-put", "true"));
    const { status, body } = await api.json("PUT", "/api/tasks/t-put", {
      name: "t-put-renamed",
      description: "nightly",
      steps: [
        { name: "a", command: "true" },
        { name: "b", command: "true", run_rule: "always", timeout_s: 5 },
      ],
    });
    expect(status).toBe(200);
    expect(body.name).toBe("t-put-renamed");
    expect(body.steps.map((s: any) => [s.name, s.run_rule, s.timeout_s])).toEqual([["a", "on_success", 3600], ["b", "always", 5]]);
    expect((await api.json("GET", "/api/tasks/t-put")).status).toBe(404);
  });

  test("a task is not renamed while a run of it is queued or running; once it ended it is", async () => {
    await api.json("POST", "/api/tasks", shTask("t-busy", "sleep 30"));
    const run = (await api.json("POST", "/api/tasks/t-busy/runs")).body;
    const renamed = await api.json("PUT", "/api/tasks/t-busy", shTask("t-busy-2", "true"));
    expect(renamed.status).toBe(409);
    expect(renamed.body).toEqual({ error: "name: a task cannot be renamed while it has a queued or running run", field: "name" });
    expect((await api.json("DELETE", "/api/tasks/t-busy")).status).toBe(409);
    expect((await api.json("PUT", "/api/tasks/t-busy", shTask("t-busy", "true"))).status).toBe(200); // the same name: fine
    await api.json("POST", `/api/runs/${run.id}/cancel`);
    await runEnded(api, run.id);
    expect((await api.json("PUT", "/api/tasks/t-busy", shTask("t-busy-2", "true"))).status).toBe(200);
  });

  test("a definition's rules read the same from the API and from a setup file", async () => {
    const twice = { name: "t-twice", steps: [{ name: "s", command: "true" }, { name: "s", command: "true" }] };
    const direct = await api.json("POST", "/api/tasks", twice);
    const imported = await api.json("POST", "/api/import?dry_run=1", { lightflow: 1, tasks: [twice] });
    expect(direct).toEqual({ status: 422, body: { error: 'steps.1.name: step names must be unique within the task ("s" is used twice)', field: "steps.1.name" } });
    expect(imported).toEqual({ status: 422, body: { error: `tasks.0.${direct.body.error}`, field: "tasks.0.steps.1.name" } });
    for (const [field, task] of [
      ["cron", { name: "t-r", cron: "5#3 * * * *", steps: [{ name: "s", command: "true" }] }],
      ["pool", { name: "t-r", pool: "nowhere", steps: [{ name: "s", command: "true" }] }],
    ] as const) {
      const a = await api.json("POST", "/api/tasks", task);
      const b = await api.json("POST", "/api/import?dry_run=1", { lightflow: 1, tasks: [task] });
      expect([a.status, a.body.field, b.status, b.body.field]).toEqual([422, field, 422, `tasks.0.${field}`]);
      expect(b.body.error).toBe(`tasks.0.${a.body.error}`);
    }
  });

  test("duplicate copies the steps under a new name, disabled", async () => {
    await api.json("POST", "/api/tasks", shTask("t-orig", "echo hi", { cron: "0 1 * * *" }));
    const { status, body } = await api.json("POST", "/api/tasks/t-orig/duplicate", { name: "t-copy" });
    expect(status).toBe(201);
    expect(body).toMatchObject({ name: "t-copy", cron: "0 1 * * *", enabled: false });
    expect(body.steps[0].args).toEqual(["-c", "echo hi"]);
    expect((await api.json("POST", "/api/tasks/t-orig/duplicate", { name: "t-copy" })).status).toBe(409);
  });

  test("a name that is taken is a conflict naming the field", async () => {
    await api.json("POST", "/api/tasks", shTask("t-taken", "true"));
    const { status, body } = await api.json("POST", "/api/tasks", shTask("t-taken", "true"));
    expect(status).toBe(409);
    expect(body.field).toBe("name");
  });

  test("delete removes the task with its runs; a running task cannot be deleted", async () => {
    const run = await createAndRun("t-del", "sleep 30");
    expect((await api.json("DELETE", "/api/tasks/t-del")).status).toBe(409);
    await api.call("POST", `/api/runs/${run.id}/cancel`);
    await runEnded(api, run.id);
    expect((await api.call("DELETE", "/api/tasks/t-del")).status).toBe(204);
    expect((await api.json("GET", `/api/runs/${run.id}`)).status).toBe(404);
  });
});

describe("runs", () => {
  test("trigger → 202 run listing every step, then success with exit codes", async () => {
    const run = await createAndRun("r-ok", "echo hello");
    expect(["queued", "running"]).toContain(run.status);
    expect(run.trigger).toBe("manual");
    expect(run.triggered_by).toBe("admin@example.com");
    expect(run.steps.map((s: any) => s.name)).toEqual(["s"]);
    const done = await runEnded(api, run.id);
    expect(done.status).toBe("success");
    expect(done.steps[0]).toMatchObject({ status: "success", exit_code: 0, signal: null, error: null, log_bytes: 6 });
    expect(done.ended_at).toMatch(ISO);
  });

  test("a second trigger while running queues one run, a third returns it", async () => {
    const first = await createAndRun("r-overlap", "sleep 30");
    const second = (await api.json("POST", "/api/tasks/r-overlap/runs")).body;
    const third = (await api.json("POST", "/api/tasks/r-overlap/runs")).body;
    expect(second.id).not.toBe(first.id);
    expect(second.status).toBe("queued");
    expect(third.id).toBe(second.id);
    const cancelQueued = await api.json("POST", `/api/runs/${second.id}/cancel`);
    expect(cancelQueued.status).toBe(202);
    expect(cancelQueued.body.status).toBe("cancelled");
    expect((await runEnded(api, second.id)).status).toBe("cancelled"); // the server log says so too
    await api.call("POST", `/api/runs/${first.id}/cancel`);
    expect((await runEnded(api, first.id)).status).toBe("cancelled");
    expect((await api.json("POST", `/api/runs/${first.id}/cancel`)).status).toBe(409);
  });

  test("runs page newest first with limit and before", async () => {
    await api.json("POST", "/api/tasks", shTask("r-page", "true"));
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const run = (await api.json("POST", "/api/tasks/r-page/runs")).body;
      await runEnded(api, run.id);
      ids.push(run.id);
    }
    const page1 = (await api.json("GET", "/api/tasks/r-page/runs?limit=2")).body;
    expect(page1.map((r: any) => r.id)).toEqual([ids[2], ids[1]]);
    const page2 = (await api.json("GET", `/api/tasks/r-page/runs?limit=2&before=${ids[1]}`)).body;
    expect(page2.map((r: any) => r.id)).toEqual([ids[0]]);
  });

  test("the grid has every task with its newest runs", async () => {
    const run = await createAndRun("r-grid", "true");
    await runEnded(api, run.id);
    const grid = (await api.json("GET", "/api/grid?runs=5")).body;
    const row = grid.tasks.find((t: any) => t.name === "r-grid");
    expect(row.runs[0].id).toBe(run.id);
    expect(row.runs[0].steps[0].status).toBe("success");
    expect("next_fire_at" in row).toBe(true);
  });
});

describe("logs", () => {
  test("offset, tail and limit return the right bytes with the total size", async () => {
    const run = await createAndRun("l-range", "printf 0123456789");
    await runEnded(api, run.id);
    const get = async (q: string) => {
      const r = await api.call("GET", `/api/runs/${run.id}/steps/1/log${q}`);
      expect(r.status).toBe(200);
      return [await r.text(), r.headers.get("x-log-size"), r.headers.get("content-type")];
    };
    expect(await get("")).toEqual(["0123456789", "10", "text/plain; charset=utf-8"]);
    expect((await get("?offset=7"))[0]).toBe("789");
    expect((await get("?tail=3"))[0]).toBe("789");
    expect((await get("?offset=2&limit=3"))[0]).toBe("234");
    expect((await get("?offset=99"))[0]).toBe("");
  });

  test("follow=1 streams the log until the step ends", async () => {
    const run = await createAndRun("l-follow", "for i in 1 2 3; do echo line $i; sleep 0.2; done");
    const res = await api.call("GET", `/api/runs/${run.id}/steps/1/log?follow=1`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("line 1\nline 2\nline 3\n");
  });

  test("follow=1 from an offset of a finished step sends the rest and ends", async () => {
    const run = await createAndRun("l-done", "printf abcdef");
    await runEnded(api, run.id);
    expect(await (await api.call("GET", `/api/runs/${run.id}/steps/1/log?follow=1&offset=3`)).text()).toBe("def");
  });
});

describe("pools", () => {
  test("create, resize, list with counts, refuse deleting a pool in use", async () => {
    expect((await api.json("POST", "/api/pools", { name: "p-one", slots: 1 })).status).toBe(201);
    expect((await api.json("POST", "/api/pools", { name: "p-one", slots: 1 })).status).toBe(409);
    expect((await api.json("PUT", "/api/pools/p-one", { slots: 3 })).body).toEqual({ name: "p-one", slots: 3, running: 0, queued: 0 });
    await api.json("POST", "/api/tasks", shTask("p-user", "true", { pool: "p-one" }));
    expect((await api.json("DELETE", "/api/pools/p-one")).status).toBe(409);
    await api.call("DELETE", "/api/tasks/p-user");
    expect((await api.call("DELETE", "/api/pools/p-one")).status).toBe(204);
    const unknownPool = await api.json("POST", "/api/tasks", shTask("p-bad", "true", { pool: "nope" }));
    expect(unknownPool.status).toBe(422);
    expect(unknownPool.body.field).toBe("pool");
  });
});

describe("variables", () => {
  test("a secret value is never returned, not even to an admin, and is masked in logs", async () => {
    const created = await api.json("POST", "/api/variables", { key: "V_SECRET", value: "hunter2-secret", secret: true });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ key: "V_SECRET", value: null, secret: true });
    await api.json("POST", "/api/variables", { key: "V_PLAIN", value: "visible" });
    const list = (await api.json("GET", "/api/variables")).body;
    expect(list).toContainEqual({ key: "V_SECRET", value: null, secret: true });
    expect(list).toContainEqual({ key: "V_PLAIN", value: "visible", secret: false });
    // keeping the value when only other fields change; no route reveals it
    expect((await api.json("PUT", "/api/variables/V_SECRET", { secret: true })).body.value).toBeNull();
    const unmask = await api.json("PUT", "/api/variables/V_SECRET", { secret: false });
    expect(unmask.status).toBe(422);
    const run = await createAndRun("v-echo", 'echo "value=$V_SECRET plain=$V_PLAIN"');
    await runEnded(api, run.id);
    const log = await (await api.call("GET", `/api/runs/${run.id}/steps/1/log`)).text();
    expect(log).toBe("value=*** plain=visible\n");
    for (const path of ["/api/variables", "/api/tasks", "/api/grid", `/api/runs/${run.id}`, "/api/audit?limit=500"]) {
      expect(await (await api.call("GET", path)).text()).not.toContain("hunter2-secret");
    }
  });

  test("reserved keys are refused", async () => {
    for (const key of ["PATH", "HOME", "PYTHONPATH", "LIGHTFLOW_X"]) {
      const r = await api.json("POST", "/api/variables", { key, value: "x" });
      expect(r.status).toBe(422);
      expect(r.body.field).toBe("key");
    }
  });
});

describe("CRON preview", () => {
  test("next fire times in the server's zone, strictly after from", async () => {
    const r = await api.json("GET", `/api/cron/preview?expr=${encodeURIComponent("0 3 * * *")}&count=2&from=2026-01-01T03:00:00Z`);
    expect(r.body).toEqual({ next: ["2026-01-02T03:00:00.000Z", "2026-01-03T03:00:00.000Z"], timezone: "UTC", notes: [] });
  });

  test("an expression that never fires or is malformed is 422 with the reason", async () => {
    const never = await api.json("GET", `/api/cron/preview?expr=${encodeURIComponent("0 0 31 2 *")}`);
    expect(never.status).toBe(422);
    expect(never.body.error).toContain("never fires");
    const bad = await api.json("GET", `/api/cron/preview?expr=${encodeURIComponent("* *")}`);
    expect(bad.status).toBe(422);
    expect(bad.body.field).toBe("expr");
  });
});

describe("health, about, OpenAPI", () => {
  test("alive and about are public", async () => {
    expect(await (await fetch(`${api.url}/api/alive`)).json()).toEqual({ ok: true });
    const about = await (await fetch(`${api.url}/api/about`)).json();
    expect(Object.keys(about).sort()).toEqual(["build_date", "commit", "started_at", "timezone", "version"]);
    expect(about.timezone).toBe("UTC");
  });

  test("/api/openapi.json is OpenAPI 3 and lists every route with its schemas", async () => {
    const spec = await (await fetch(`${api.url}/api/openapi.json`)).json();
    expect(spec.openapi).toMatch(/^3\./);
    const routes = [
      ["get", "/api/tasks"], ["post", "/api/tasks"], ["get", "/api/tasks/{task}"], ["put", "/api/tasks/{task}"],
      ["patch", "/api/tasks/{task}"], ["delete", "/api/tasks/{task}"], ["post", "/api/tasks/{task}/duplicate"],
      ["post", "/api/tasks/{task}/runs"], ["get", "/api/tasks/{task}/runs"], ["get", "/api/runs/{run}"],
      ["post", "/api/runs/{run}/cancel"], ["get", "/api/runs/{run}/steps/{pos}/log"], ["get", "/api/grid"],
      ["get", "/api/cron/preview"], ["get", "/api/pools"], ["post", "/api/pools"], ["put", "/api/pools/{name}"],
      ["delete", "/api/pools/{name}"], ["get", "/api/variables"], ["post", "/api/variables"], ["put", "/api/variables/{key}"],
      ["delete", "/api/variables/{key}"], ["get", "/api/alive"], ["get", "/api/about"], ["get", "/api/auth/state"],
      ["post", "/api/auth/setup-link"], ["post", "/api/auth/login"], ["post", "/api/auth/logout"], ["post", "/api/auth/forgot"],
      ["post", "/api/auth/set-password"], ["get", "/api/me"], ["patch", "/api/me"], ["post", "/api/me/password"],
      ["post", "/api/me/totp"], ["post", "/api/me/totp/confirm"], ["delete", "/api/me/totp"], ["get", "/api/me/tokens"],
      ["post", "/api/me/tokens"], ["delete", "/api/me/tokens/{id}"], ["get", "/api/users"], ["post", "/api/users"],
      ["patch", "/api/users/{id}"], ["delete", "/api/users/{id}/totp"], ["delete", "/api/users/{id}"], ["get", "/api/audit"],
    ];
    for (const [method, path] of routes) expect(spec.paths[path]?.[method!]).toBeDefined();
    const body = spec.paths["/api/tasks"].post.requestBody.content["application/json"].schema;
    expect(body.required).toContain("steps");
  });

  test("an unknown /api path is 404 JSON, never the UI", async () => {
    const r = await api.call("GET", "/api/does-not-exist");
    expect(r.status).toBe(404);
    expect(r.headers.get("content-type")).toContain("application/json");
    expect((await r.json()).error).toContain("/api/does-not-exist");
  });
});
