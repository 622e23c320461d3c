// Smarter alerts with real mail and a real webhook receiver: failed, recovered,
// did not start; per-task recipients besides the users who opted in.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { runEnded, startApi, type Api } from "./helpers/api.ts";
import { storeOf } from "./helpers/store.ts";
import { startServer, type ServerProcess } from "./helpers/server.ts";
import { startSmtp, type Smtp } from "./helpers/smtp.ts";

let smtp: Smtp;
let api: Api;
let hook: ReturnType<typeof Bun.serve>;
let restarted: ServerProcess | undefined;
const hooks: any[] = [];
const hookWaiters: { pred: (h: any) => boolean; resolve: (h: any) => void }[] = [];
const nextHook = (pred: (h: any) => boolean) =>
  new Promise<any>((resolve) => {
    const h = hooks.find(pred);
    if (h) return resolve(h);
    hookWaiters.push({ pred, resolve });
  });

beforeAll(async () => {
  smtp = await startSmtp();
  hook = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const body = await req.json();
      hooks.push(body);
      for (const w of [...hookWaiters]) if (w.pred(body)) hookWaiters.splice(hookWaiters.indexOf(w), 1), w.resolve(body);
      return new Response("ok");
    },
  });
  api = await startApi({ env: { SMTP_HOST: "127.0.0.1", SMTP_PORT: String(smtp.port), SMTP_SECURITY: "none" } });
  await api.json("PATCH", "/api/me", { alerts: true });
});
afterAll(async () => {
  await api?.close();
  await restarted?.stop();
  restarted?.cleanup();
  hook?.stop(true);
  await smtp?.close();
});

const mail = (to: string, subject: RegExp) => smtp.next((m) => m.to.includes(to) && subject.test(m.subject));

test("the webhook URL is an admin setting and must be http(s)", async () => {
  expect((await api.json("PUT", "/api/settings", { alert_webhook_url: "ftp://x" })).status).toBe(422);
  const r = await api.json("PUT", "/api/settings", { alert_webhook_url: `http://127.0.0.1:${hook.port}/alerts` });
  expect(r.body).toEqual({ alert_webhook_url: `http://127.0.0.1:${hook.port}/alerts` });
  expect((await api.json("GET", "/api/settings")).body.alert_webhook_url).toContain("/alerts");
});

test("a failure, then the first success after it: failed and recovered, by mail to users and task recipients, and by webhook", async () => {
  await api.json("POST", "/api/tasks", {
    name: "wobbly",
    alert_emails: ["ops@example.com"],
    steps: [{ name: "s", command: "bash", args: ["-c", 'f="$LIGHTFLOW_DATA_DIR/fail"; if [ -e "$f" ]; then echo broken; exit 4; fi'] }],
  });
  await Bun.write(join(api.server.dir, "fail"), "");
  const bad = (await api.json("POST", "/api/tasks/wobbly/runs")).body;
  expect((await runEnded(api, bad.id)).status).toBe("failed");
  for (const to of ["admin@example.com", "ops@example.com"]) expect((await mail(to, /wobbly failed/)).text).toContain("exit code 4");
  const failedHook = await nextHook((h) => h.event === "failed" && h.run_id === bad.id);
  expect(failedHook).toMatchObject({ task: "wobbly", step: { name: "s", exit_code: 4 }, log_tail: ["broken"] });

  (await import("node:fs")).rmSync(join(api.server.dir, "fail"));
  const good = (await api.json("POST", "/api/tasks/wobbly/runs")).body;
  expect((await runEnded(api, good.id)).status).toBe("success");
  expect((await mail("ops@example.com", /wobbly recovered/)).text).toContain(`/runs/${good.id}`);
  expect(await nextHook((h) => h.event === "recovered")).toMatchObject({ task: "wobbly", run_id: good.id });

  // a second success is no news
  const again = (await api.json("POST", "/api/tasks/wobbly/runs")).body;
  await runEnded(api, again.id);
  await api.json("POST", "/api/tasks", { name: "marker", alert_emails: ["ops@example.com"], steps: [{ name: "s", command: "false" }] });
  await runEnded(api, (await api.json("POST", "/api/tasks/marker/runs")).body.id);
  await mail("ops@example.com", /marker failed/);
  expect(smtp.mails.filter((m) => /wobbly recovered/.test(m.subject) && m.to.includes("ops@example.com")).length).toBe(1);
});

test("a scheduled run that could not start because the server was down raises \"did not start\"", async () => {
  await api.json("POST", "/api/tasks", { name: "punctual", cron: "*/5 * * * *", start_deadline_s: 60, alert_emails: ["ops@example.com"], steps: [{ name: "s", command: "true" }] });
  const dir = api.server.dir;
  expect(await api.server.stop()).toBe(0);
  // the server was down for the last two hours
  const db = await storeOf(dir);
  db.query("UPDATE tasks SET schedule_anchor = ? WHERE name = 'punctual'").run(Date.now() - 2 * 3_600_000);
  db.close();
  restarted = await startServer({ dir, env: { SMTP_HOST: "127.0.0.1", SMTP_PORT: String(smtp.port), SMTP_SECURITY: "none" } });
  const m = await mail("ops@example.com", /punctual did not start/);
  expect(m.text).toContain("the server was not running");
  expect(await nextHook((h) => h.event === "did_not_start")).toMatchObject({ task: "punctual", reason: "server_down", run_id: null });
});
