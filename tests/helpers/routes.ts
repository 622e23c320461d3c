// Every HTTP route of api.md with a valid example body and who may call it:
// the role matrix and the fuzz test walk this list.
import { ADMIN_PASSWORD, runEnded, type Api } from "./api.ts";

export type Who = "public" | "any" | "admin";
export interface Route {
  method: string;
  path: string;
  /** a function where the body depends on who sends it (their own password) */
  body?: unknown;
  who: Who;
  headers?: Record<string, string>;
}

/** The fixtures `routes` needs: a pool "acc-pool", a variable ACC_VAR, a task "acc-task" and a finished run of it (its id). */
export async function seedRouteFixtures(api: Api): Promise<number> {
  await api.json("POST", "/api/pools", { name: "acc-pool", slots: 1 });
  await api.json("POST", "/api/variables", { key: "ACC_VAR", value: "x" });
  await api.json("POST", "/api/tasks", { name: "acc-task", steps: [{ name: "s", command: "true" }] });
  const runId = (await api.json("POST", "/api/tasks/acc-task/runs")).body.id as number;
  await runEnded(api, runId);
  return runId;
}

/** The passwords startApi and Api.user give the admin and the users they make. */
export const passwordOf = (role: "admin" | "viewer") => (role === "admin" ? ADMIN_PASSWORD : `${role} password 123`);

/** A route's example body as sent by a user of that role. */
export const bodyOf = (route: Route, role: "admin" | "viewer"): unknown => (typeof route.body === "function" ? route.body(role) : route.body);

/** Routes that need fixtures: see seedRouteFixtures. */
export function routes(runId: number): Route[] {
  const r = (method: string, path: string, body: unknown, who: Who): Route => ({ method, path, body, who });
  return [
    r("GET", "/api/alive", undefined, "public"),
    r("GET", "/api/about", undefined, "public"),
    r("GET", "/api/openapi.json", undefined, "public"),
    r("GET", "/api/auth/state", undefined, "public"),
    r("GET", "/api/me", undefined, "any"),
    r("PATCH", "/api/me", { alerts: false }, "any"),
    r("GET", "/api/me/tokens", undefined, "any"),
    r("POST", "/api/me/tokens", { name: "matrix" }, "any"),
    r("POST", "/api/me/totp", (role: "admin" | "viewer") => ({ password: passwordOf(role) }), "any"),
    r("GET", "/api/tasks", undefined, "any"),
    r("GET", "/api/tasks/acc-task", undefined, "any"),
    r("GET", "/api/tasks/acc-task/runs", undefined, "any"),
    r("GET", `/api/runs/${runId}`, undefined, "any"),
    r("GET", `/api/runs/${runId}/steps/1/log`, undefined, "any"),
    r("GET", "/api/grid", undefined, "any"),
    r("GET", "/api/cron/preview?expr=*+*+*+*+*", undefined, "any"),
    r("GET", "/api/pools", undefined, "any"),
    r("GET", "/api/variables", undefined, "any"),
    r("POST", "/api/tasks", { name: "acc-new", steps: [{ name: "s", command: "true" }] }, "admin"),
    r("PUT", "/api/tasks/acc-task", { name: "acc-task", steps: [{ name: "s", command: "true" }] }, "admin"),
    r("PATCH", "/api/tasks/acc-task", { description: "x" }, "admin"),
    r("POST", "/api/tasks/acc-task/duplicate", { name: "acc-dup" }, "admin"),
    r("POST", "/api/tasks/acc-task/runs", undefined, "admin"),
    r("POST", `/api/runs/${runId}/cancel`, undefined, "admin"),
    r("POST", `/api/runs/${runId}/retry`, undefined, "admin"),
    r("POST", "/api/pools", { name: "acc-pool2", slots: 2 }, "admin"),
    r("PUT", "/api/pools/acc-pool", { slots: 2 }, "admin"),
    r("POST", "/api/variables", { key: "ACC_VAR2", value: "y" }, "admin"),
    r("PUT", "/api/variables/ACC_VAR", { value: "z" }, "admin"),
    r("GET", "/api/users", undefined, "admin"),
    r("POST", "/api/users", { email: "invited@example.com", role: "viewer" }, "admin"),
    r("PATCH", "/api/users/999", { role: "viewer" }, "admin"),
    r("DELETE", "/api/users/999/totp", undefined, "admin"),
    r("DELETE", "/api/users/999", undefined, "admin"),
    r("GET", "/api/audit", undefined, "admin"),
    r("GET", "/api/scripts", undefined, "admin"),
    { ...r("PUT", "/api/scripts/acc.sh", "#!/bin/sh\necho hi\n", "admin"), headers: { "content-type": "text/plain; charset=utf-8" } },
    r("GET", "/api/scripts/acc.sh", undefined, "admin"),
    r("POST", "/api/scripts/rename", { from: "acc.sh", to: "acc2.sh" }, "admin"),
    r("DELETE", "/api/scripts/acc2.sh", undefined, "admin"),
    r("GET", "/api/packages", undefined, "admin"),
    r("GET", "/api/packages/jobs", undefined, "admin"),
    r("POST", "/api/packages", { requirement: "-e ." }, "admin"),
    r("DELETE", "/api/packages/pip", undefined, "admin"),
    { ...r("POST", "/api/import/crontab?dry_run=1", "@daily true\n", "admin"), headers: { "content-type": "text/plain; charset=utf-8" } },
    r("DELETE", "/api/tasks/acc-dup", undefined, "admin"),
    r("DELETE", "/api/variables/ACC_VAR2", undefined, "admin"),
    r("DELETE", "/api/pools/acc-pool2", undefined, "admin"),
  ];
}
