// Every answer of the real server matches the schema in server/schema/ that the
// client's types come from (client/src/types.ts): each field the schema names,
// with its type, and no field it does not name. One server for the file.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Type, type TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { ErrorBody } from "../server/schema/common.ts";
import { LiveEvent, LogMessage } from "../server/schema/events.ts";
import {
  AboutOut,
  ApiTokenOut,
  AuditEntryOut,
  AuthStateOut,
  LoginOut,
  NewApiTokenOut,
  PoolOut,
  SetPasswordOut,
  SettingsOut,
  TotpEnrolmentOut,
  UserOut,
  UserRow,
  VariableOut,
} from "../server/schema/resources.ts";
import { JobSummaryOut, ScriptEntryOut, ScriptRenamedOut, ScriptSavedOut } from "../server/schema/scripts.ts";
import { CronPreviewOut, GridOut, ImportResultOut, RunOut, TaskOut } from "../server/schema/tasks.ts";
import { ADMIN_EMAIL, ADMIN_PASSWORD, linkFor, request, runEnded, startApi, tokenOfLink, watchSocket, type Api } from "./helpers/api.ts";

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => api?.close());

const List = Type.Array;

/** The body has every field of the schema, with its type, and no other field (which Value.Clean would remove). */
function expectShape(schema: TSchema, body: unknown, what: string): void {
  const errors = [...Value.Errors(schema, body)].map((e) => `${what}${e.path}: ${e.message} (got ${JSON.stringify(e.value)})`);
  expect(errors).toEqual([]);
  expect(Value.Clean(schema, structuredClone(body))).toEqual(body);
}

async function answer(method: string, path: string, status: number, schema: TSchema, body?: unknown): Promise<any> {
  const r = await api.json(method, path, body);
  expect(`${method} ${path} → ${r.status}`).toBe(`${method} ${path} → ${status}`);
  expectShape(schema, r.body, `${method} ${path}`);
  return r.body;
}

const socket = (path: string) => watchSocket(api, path);

describe("answers match their schemas", () => {
  test("tasks, runs (with a step waiting to retry), the grid and the live sockets", async () => {
    const events = socket("/api/events");
    await answer("POST", "/api/pools", 201, PoolOut, { name: "sch-pool", slots: 2 });
    const task = {
      name: "sch-task",
      cron: "0 3 * * *",
      pool: "sch-pool",
      start_deadline_s: 600,
      alert_emails: ["ops@example.com"],
      steps: [
        // fails once, waits 2 s, then succeeds: the run is seen with `retry_at` set
        { name: "flaky", command: "bash", args: ["-c", 'echo try; [ -e "$0.done" ] || { touch "$0.done"; exit 3; }', `${api.server.dir}/sch-flag`], retries: 1, retry_delay_s: 2 },
        { name: "after", command: "true", run_rule: "always" },
      ],
    };
    await answer("POST", "/api/tasks", 201, TaskOut, task);
    const queued = await answer("POST", "/api/tasks/sch-task/runs", 202, RunOut);

    const waiting = await events.next((m) => m.type === "run" && m.run.id === queued.id && m.run.steps[0].retry_at !== null);
    const run = await answer("GET", `/api/runs/${queued.id}`, 200, RunOut);
    expect(run.steps[0].retry_at).toEqual(waiting.run.steps[0].retry_at);
    expect(run.steps[0].retry_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    await runEnded(api, queued.id);
    const ended = await answer("GET", `/api/runs/${queued.id}`, 200, RunOut);
    expect(ended.status).toBe("success");
    expect(ended.steps.map((s: any) => [s.status, s.attempt, s.retry_at])).toEqual([["success", 2, null], ["success", 1, null]]);
    await answer("GET", "/api/tasks", 200, List(TaskOut));
    await answer("GET", "/api/tasks/sch-task", 200, TaskOut);
    await answer("PATCH", "/api/tasks/sch-task", 200, TaskOut, { enabled: false });
    await answer("GET", "/api/tasks/sch-task/runs?status=success", 200, List(RunOut));
    await answer("GET", "/api/grid?runs=5", 200, GridOut);
    await answer("GET", `/api/cron/preview?expr=${encodeURIComponent("30 2 * * *")}&count=3`, 200, CronPreviewOut);
    await answer("GET", "/api/pools", 200, List(PoolOut));

    const log = socket(`/api/runs/${queued.id}/steps/1/log/ws?offset=0`);
    await log.next((m) => m.type === "end");
    log.close();
    await answer("DELETE", "/api/tasks/sch-task", 204, Type.Null());
    await events.next((m) => m.type === "task_deleted" && m.name === "sch-task");
    events.close();
    expect(log.messages.length).toBeGreaterThan(1);
    for (const m of log.messages) expectShape(LogMessage, m, "log socket");
    expect(events.messages.length).toBeGreaterThan(3);
    for (const m of events.messages) expectShape(LiveEvent, m, "/api/events");
  });

  test("variables, scripts, packages, settings, import and errors", async () => {
    await answer("POST", "/api/variables", 201, VariableOut, { key: "SCH_PLAIN", value: "v" });
    await answer("POST", "/api/variables", 201, VariableOut, { key: "SCH_SECRET", value: "a long secret value", secret: true });
    const vars = await answer("GET", "/api/variables", 200, List(VariableOut));
    expect(vars.find((v: any) => v.key === "SCH_SECRET").value).toBeNull();

    const saved = await api.call("PUT", "/api/scripts/sch/bad.py", "def broken(:\n", { "content-type": "text/plain" });
    expect(saved.status).toBe(200);
    expectShape(ScriptSavedOut, await saved.json(), "PUT /api/scripts/sch/bad.py");
    await answer("GET", "/api/scripts", 200, List(ScriptEntryOut));
    await answer("POST", "/api/scripts/rename", 200, ScriptRenamedOut, { from: "sch/bad.py", to: "sch/renamed.py" });
    await answer("GET", "/api/packages/jobs", 200, List(JobSummaryOut));

    await answer("GET", "/api/settings", 200, SettingsOut);
    await answer("PUT", "/api/settings", 200, SettingsOut, { alert_webhook_url: "https://example.com/hook" });
    const file = { lightflow: 1, pools: [{ name: "sch-import", slots: 1 }], variables: [{ key: "SCH_PLAIN", value: "w" }], tasks: [{ name: "sch-imported", steps: [{ name: "s", command: "true" }] }] };
    const plan = await answer("POST", "/api/import?dry_run=1", 200, ImportResultOut, file);
    expect(plan.changes).toEqual(
      expect.arrayContaining([
        { kind: "pool", name: "sch-import", action: "create" },
        { kind: "variable", name: "SCH_PLAIN", action: "update" },
        { kind: "task", name: "sch-imported", action: "create" },
      ]),
    );

    await answer("GET", "/api/tasks/no-such-task", 404, ErrorBody);
    await answer("POST", "/api/tasks", 422, ErrorBody, { name: "x", steps: [] });
    await answer("POST", "/api/pools", 201, PoolOut, { name: "sch-twice", slots: 1 });
    await answer("POST", "/api/pools", 409, ErrorBody, { name: "sch-twice", slots: 1 });
  });

  test("accounts, sessions, tokens, the audit log and about", async () => {
    await answer("GET", "/api/about", 200, AboutOut);
    await answer("GET", "/api/auth/state", 200, AuthStateOut);
    await answer("GET", "/api/me", 200, UserOut);
    await answer("PATCH", "/api/me", 200, UserOut, { alerts: true });
    await answer("POST", "/api/me/tokens", 201, NewApiTokenOut, { name: "schemas" });
    await answer("GET", "/api/me/tokens", 200, List(ApiTokenOut));

    const mark = api.server.output().length;
    const invited = await answer("POST", "/api/users", 201, UserRow, { email: "sch-viewer@example.com", role: "viewer" });
    await answer("PATCH", `/api/users/${invited.id}`, 200, UserRow, { role: "admin" });
    await answer("GET", "/api/users", 200, List(UserRow));
    const link = await linkFor(api.server, "sch-viewer@example.com", mark);
    const set = await request(api.url, "POST", "/api/auth/set-password", { token: tokenOfLink(link), password: "schema viewer password" });
    expect(set.status).toBe(200);
    expectShape(SetPasswordOut, await set.json(), "POST /api/auth/set-password");

    const login = await request(api.url, "POST", "/api/auth/login", { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    expect(login.status).toBe(200);
    expectShape(LoginOut, await login.json(), "POST /api/auth/login");
    const wrong = await request(api.url, "POST", "/api/auth/login", { email: ADMIN_EMAIL, password: "not the password" });
    expect(wrong.status).toBe(401);
    expectShape(ErrorBody, await wrong.json(), "POST /api/auth/login (wrong password)");

    await answer("POST", "/api/me/totp", 200, TotpEnrolmentOut, { password: ADMIN_PASSWORD });
    await answer("GET", "/api/audit?limit=50", 200, List(AuditEntryOut));
  });
});
