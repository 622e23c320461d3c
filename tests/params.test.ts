// Task parameters through the API of a real server: what a task may declare,
// what a trigger may send, what a step sees, and what a run keeps.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { runFinished, startApi, type Api } from "./helpers/api.ts";

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
});

const show = { name: "show", command: "bash", args: ["-c", 'echo "DAYS=$DAYS TARGET=$TARGET MODE=$MODE"'] };
const task = (name: string, params: unknown[], extra: object = {}) => ({ name, steps: [show], params, ...extra });
const stepLog = async (runId: number, pos = 1) => (await api.call("GET", `/api/runs/${runId}/steps/${pos}/log`)).text();

describe("a task's parameters", () => {
  test("are saved, returned and exported as declared", async () => {
    const params = [
      { name: "DAYS", default: "7", description: "how far back" },
      { name: "TARGET" },
      { name: "MODE", default: "fast", choices: ["fast", "full"] },
    ];
    const created = await api.json("POST", "/api/tasks", task("declared", params));
    expect(created.status).toBe(201);
    expect(created.body.params).toEqual(params);
    expect((await api.json("GET", "/api/tasks/declared")).body.params).toEqual(params);
    const exported = (await api.json("GET", "/api/export")).body;
    expect(exported.tasks.find((t: any) => t.name === "declared").params).toEqual(params);
  });

  test("an import shows a change of parameters and applies it", async () => {
    await api.json("POST", "/api/tasks", task("imported", [{ name: "DAYS", default: "1" }]));
    const file = { lightflow: 1, tasks: [task("imported", [{ name: "DAYS", default: "2" }])] };
    const dry = await api.json("POST", "/api/import?dry_run=1", file);
    expect(dry.body.changes).toContainEqual({ kind: "task", name: "imported", action: "update", detail: "params" });
    expect((await api.json("GET", "/api/tasks/imported")).body.params).toEqual([{ name: "DAYS", default: "1" }]);
    expect((await api.json("POST", "/api/import", file)).status).toBe(200);
    expect((await api.json("GET", "/api/tasks/imported")).body.params).toEqual([{ name: "DAYS", default: "2" }]);
    const bad = await api.json("POST", "/api/import?dry_run=1", { lightflow: 1, tasks: [task("imported", [{ name: "A" }, { name: "A" }])] });
    expect(bad.status).toBe(422);
    expect(bad.body.field).toBe("tasks.0.params.1.name");
  });

  const refused: [string, string, unknown][] = [
    ["a lower-case name", "params.0.name", task("bad", [{ name: "days" }])],
    ["a LIGHTFLOW_ name", "params.0.name", task("bad", [{ name: "LIGHTFLOW_DAYS", default: "1" }])],
    ["PATH", "params.0.name", task("bad", [{ name: "PATH", default: "/bin" }])],
    ["a name used twice", "params.1.name", task("bad", [{ name: "DAYS" }, { name: "DAYS" }])],
    ["a default not among the choices", "params.0.default", task("bad", [{ name: "MODE", default: "slow", choices: ["fast", "full"] }])],
    ["a choice listed twice", "params.0.choices.1", task("bad", [{ name: "MODE", choices: ["fast", "fast"] }])],
    ["a default over 4 KiB", "params.0.default", task("bad", [{ name: "DAYS", default: "é".repeat(2049) }])],
    ["a scheduled task's parameter without a default", "params.0.default", task("bad", [{ name: "DAYS" }], { cron: "0 3 * * *" })],
    ["21 parameters", "params", task("bad", Array.from({ length: 21 }, (_, i) => ({ name: `P${i}`, default: "1" })))],
  ];
  for (const [what, field, body] of refused) {
    test(`${what} is refused with 422 on ${field}`, async () => {
      const r = await api.json("POST", "/api/tasks", body);
      expect(r.status).toBe(422);
      expect(r.body.field).toBe(field);
    });
  }

  test("a schedule given by PATCH to a task with a required parameter is refused", async () => {
    await api.json("POST", "/api/tasks", task("manual-only", [{ name: "TARGET" }]));
    const r = await api.json("PATCH", "/api/tasks/manual-only", { cron: "0 3 * * *" });
    expect(r.status).toBe(422);
    expect(r.body.field).toBe("params.0.default");
    expect(r.body.error).toContain("TARGET needs a default");
  });
});

describe("a manual trigger with parameters", () => {
  beforeAll(async () => {
    await api.json("POST", "/api/variables", { key: "TARGET", value: "from-variable", secret: false });
    await api.json("POST", "/api/variables", { key: "TOKEN", value: "s3cret-value", secret: true });
    await api.json("POST", "/api/tasks", task("report", [{ name: "DAYS", default: "7" }, { name: "TARGET" }, { name: "MODE", default: "fast", choices: ["fast", "full"] }]));
  });

  test("sets each as an environment variable of the steps, a parameter winning over a variable; the run keeps them", async () => {
    const r = await api.json("POST", "/api/tasks/report/runs", { params: { DAYS: "3", TARGET: "db1" } });
    expect(r.status).toBe(202);
    expect(r.body.params).toEqual({ DAYS: "3", TARGET: "db1", MODE: "fast" });
    const ended = await runFinished(api, r.body.id);
    expect(ended.status).toBe("success");
    expect(ended.params).toEqual({ DAYS: "3", TARGET: "db1", MODE: "fast" });
    expect(await stepLog(r.body.id)).toContain("DAYS=3 TARGET=db1 MODE=fast");
    const audit = (await api.json("GET", "/api/audit")).body;
    expect(audit.find((a: any) => a.action === "run.trigger" && a.target === "report").detail).toBe(`run ${r.body.id}, DAYS=3, TARGET=db1, MODE=fast`);
  });

  const wrong: [string, Record<string, string>, string][] = [
    ["params.COLOR", { TARGET: "x", COLOR: "red" }, "no parameter COLOR"],
    ["params.MODE", { TARGET: "x", MODE: "slow" }, "one of: fast, full"],
    ["params.TARGET", { DAYS: "1" }, "TARGET is required"],
    ["params.TARGET", { TARGET: "x".repeat(4097) }, "4097 bytes"],
    ["params.TARGET", { TARGET: "a\u0000b" }, "NUL"],
  ];
  for (const [field, params, says] of wrong) {
    test(`is refused with 422 naming ${field} (${says})`, async () => {
      const r = await api.json("POST", "/api/tasks/report/runs", { params });
      expect(r.status).toBe(422);
      expect(r.body.field).toBe(field);
      expect(r.body.error).toContain(field);
      expect(r.body.error).toContain(says);
    });
  }

  test("a value that is not text, or params that are not an object, are refused with 422", async () => {
    const number = await api.json("POST", "/api/tasks/report/runs", { params: { TARGET: 3 } });
    expect(number.status).toBe(422);
    expect(number.body.field).toBe("params.TARGET");
    const list = await api.json("POST", "/api/tasks/report/runs", { params: ["TARGET=x"] });
    expect(list.status).toBe(422);
    expect(list.body.field).toBe("params");
  });

  test("may not shadow a secret variable (422), though the task may declare it", async () => {
    const created = await api.json("POST", "/api/tasks", task("shadow", [{ name: "TOKEN", default: "x" }]));
    expect(created.status).toBe(201);
    const r = await api.json("POST", "/api/tasks/shadow/runs", {});
    expect(r.status).toBe(422);
    expect(r.body.field).toBe("params.TOKEN");
    expect(r.body.error).toContain("secret variable");
  });

  test("a secret variable created while the run waited makes its step fail, naming the parameter, not run without it", async () => {
    await api.json("POST", "/api/tasks", task("late-secret", [{ name: "LATE", default: "x" }], { pool: null, steps: [{ name: "wait", command: "sleep", args: ["60"] }] }));
    const running = (await api.json("POST", "/api/tasks/late-secret/runs", {})).body;
    const queued = (await api.json("POST", "/api/tasks/late-secret/runs", { params: { LATE: "y" } })).body;
    expect(queued.status).toBe("queued");
    await api.json("POST", "/api/variables", { key: "LATE", value: "hidden-value", secret: true });
    await api.call("POST", `/api/runs/${running.id}/cancel`);
    const ended = await runFinished(api, queued.id);
    expect(ended.status).toBe("failed");
    expect(ended.steps[0].error).toContain("parameter LATE would replace the secret variable");
    await api.call("DELETE", "/api/variables/LATE");
  });

  test("a task without parameters is still triggered with no body, and keeps no values", async () => {
    await api.json("POST", "/api/tasks", { name: "plain", steps: [show] });
    const r = await api.call("POST", "/api/tasks/plain/runs");
    expect(r.status).toBe(202);
    const run = (await r.json()) as any;
    expect(run.params).toEqual({});
    expect((await runFinished(api, run.id)).status).toBe("success");
    expect(await stepLog(run.id)).toContain("TARGET=from-variable");
  });

  test("while a run is queued: the same values get that run, other values 409 naming it", async () => {
    await api.json("POST", "/api/tasks", task("busy", [{ name: "DAYS", default: "7" }], { steps: [{ name: "wait", command: "sleep", args: ["60"] }] }));
    const running = (await api.json("POST", "/api/tasks/busy/runs", {})).body;
    const queued = await api.json("POST", "/api/tasks/busy/runs", { params: { DAYS: "3" } });
    expect(queued.status).toBe(202);
    expect(queued.body.id).not.toBe(running.id);
    expect(queued.body.status).toBe("queued");
    const same = await api.json("POST", "/api/tasks/busy/runs", { params: { DAYS: "3" } });
    expect(same.status).toBe(202);
    expect(same.body.id).toBe(queued.body.id);
    const other = await api.json("POST", "/api/tasks/busy/runs", { params: { DAYS: "4" } });
    expect(other.status).toBe(409);
    expect(other.body.error).toContain(`run ${queued.body.id}`);
    const defaults = await api.json("POST", "/api/tasks/busy/runs");
    expect(defaults.status).toBe(409);
    await api.call("POST", `/api/runs/${queued.body.id}/cancel`);
    await api.call("POST", `/api/runs/${running.id}/cancel`);
    await runFinished(api, running.id);
  });
});

test("the OpenAPI document has the trigger's body, a run's params and the retry route", async () => {
  const doc = (await api.json("GET", "/api/openapi.json")).body;
  const trigger = JSON.stringify(doc.paths["/api/tasks/{task}/runs"].post);
  expect(trigger).toContain("params");
  expect(doc.paths["/api/runs/{run}/retry"]?.post).toBeDefined();
  expect(JSON.stringify(doc.paths["/api/runs/{run}"].get)).toContain("retry_of");
});
