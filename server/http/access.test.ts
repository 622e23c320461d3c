// Who may call what: every route of tests/helpers/routes.ts as a stranger, a
// viewer and an admin, in process through app.handle (no server, no port).
// The parts only a real server shows (cookies over HTTP, WebSocket upgrades)
// stay in tests/access.test.ts.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { AuthService } from "../auth/service.ts";
import type { Mailer, MailMessage } from "../mail/mailer.ts";
import { createApp, type App } from "./app.ts";
import { makeEngine, type TestEngine } from "../../tests/helpers/engine.ts";
import { FakeExecutor, finishAtOnce } from "../../tests/helpers/fake-executor.ts";
import { ADMIN_EMAIL, cookieOf, tokenOfLink } from "../../tests/helpers/api.ts";
import { bodyOf, passwordOf, routes } from "../../tests/helpers/routes.ts";

/** Keeps the mails instead of sending them: the links in them are how accounts get their passwords. */
class KeptMail implements Mailer {
  readonly mails: MailMessage[] = [];
  async send(m: MailMessage): Promise<void> {
    this.mails.push(m);
  }
  linkTo(email: string): string {
    const mail = this.mails.findLast((m) => m.to === email);
    const link = mail?.text.match(/\S+\/set-password#token=\S+/)?.[0];
    if (!link) throw new Error(`no set-password link was mailed to ${email}`);
    return link;
  }
}

let te: TestEngine;
let app: App;
let adminToken: string;
let viewerToken: string;
let runId: number;

/** A request through app.handle; JSON bodies are encoded as tests/helpers/api.ts `request` does. */
function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] ??= "application/json";
  }
  return app.handle(new Request(`http://localhost${path}`, init));
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function expectStatus(r: Promise<Response>, status: number, what: string): Promise<Response> {
  const res = await r;
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return res;
}

/** Sets the password from the newest link mailed to `email`; returns an API token of that account. */
async function activate(mail: KeptMail, email: string, password: string): Promise<string> {
  const set = await expectStatus(call("POST", "/api/auth/set-password", { token: tokenOfLink(mail.linkTo(email)), password }), 200, "set-password");
  const made = await expectStatus(call("POST", "/api/me/tokens", { name: "tests" }, { cookie: cookieOf(set) }), 201, "token");
  return ((await made.json()) as { token: string }).token;
}

beforeAll(async () => {
  te = await makeEngine({ LIGHTFLOW_ADMIN_EMAIL: ADMIN_EMAIL }, undefined, undefined, new FakeExecutor({ onStart: finishAtOnce }));
  const { users, audit, settings } = te.stores;
  const mail = new KeptMail();
  const auth = new AuthService({ config: te.config, users, audit, mailer: mail, publicUrl: () => "http://localhost" });
  app = createApp({ engine: te.engine, auth, users, audit, settings, startedAt: Date.now() });

  await expectStatus(call("POST", "/api/auth/setup-link"), 202, "setup-link");
  adminToken = await activate(mail, ADMIN_EMAIL, passwordOf("admin"));
  const admin = bearer(adminToken);
  await expectStatus(call("POST", "/api/users", { email: "viewer@example.com", role: "viewer" }, admin), 201, "invite");
  viewerToken = await activate(mail, "viewer@example.com", passwordOf("viewer"));

  // the fixtures routes() expects (as seedRouteFixtures makes them over HTTP)
  await expectStatus(call("POST", "/api/pools", { name: "acc-pool", slots: 1 }, admin), 201, "pool");
  await expectStatus(call("POST", "/api/variables", { key: "ACC_VAR", value: "x" }, admin), 201, "variable");
  await expectStatus(call("POST", "/api/tasks", { name: "acc-task", steps: [{ name: "s", command: "true" }] }, admin), 201, "task");
  const run = await expectStatus(call("POST", "/api/tasks/acc-task/runs", undefined, admin), 202, "trigger");
  runId = ((await run.json()) as { id: number }).id;
  await te.finished(runId);
});
afterAll(async () => te?.close());

describe("route-by-role matrix", () => {
  test("without credentials every non-public route answers 401", async () => {
    for (const route of routes(runId)) {
      const { method, path, who, headers } = route;
      const r = await call(method, path, bodyOf(route, "viewer"), headers);
      expect([method, path, r.status]).toEqual([method, path, who === "public" ? 200 : 401]);
    }
  });

  test("a viewer reads but gets 403 on every change and on admin-only reads", async () => {
    for (const route of routes(runId)) {
      const { method, path, who, headers } = route;
      const r = await call(method, path, bodyOf(route, "viewer"), { ...headers, ...bearer(viewerToken) });
      if (who === "admin") expect([method, path, r.status]).toEqual([method, path, 403]);
      else expect([method, path, r.status < 400]).toEqual([method, path, true]);
    }
  });

  test("an admin is let through everywhere", async () => {
    for (const route of routes(runId)) {
      const { method, path, headers } = route;
      const r = await call(method, path, bodyOf(route, "admin"), { ...headers, ...bearer(adminToken) });
      expect([method, path, r.status === 401 || r.status === 403]).toEqual([method, path, false]);
    }
  });
});
