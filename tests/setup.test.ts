// Tasks as code: export the setup as one readable file, import it elsewhere
// with a dry run that lists the differences; from the API and the CLI.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startApi, type Api } from "./helpers/api.ts";
import { tempDir } from "./helpers/engine.ts";
import { runCli, startServer } from "./helpers/server.ts";

let a: Api;
let b: Api;
beforeAll(async () => {
  [a, b] = await Promise.all([startApi(), startApi()]);
  await a.json("POST", "/api/pools", { name: "backup", slots: 1 });
  await a.json("POST", "/api/variables", { key: "TARGET", value: "/srv/backup" });
  await a.json("POST", "/api/variables", { key: "API_KEY", value: "never-exported", secret: true });
  await a.json("POST", "/api/tasks", {
    name: "nightly",
    description: "the nightly backup",
    cron: "30 2 * * *",
    pool: "backup",
    catchup: true,
    start_deadline_s: 600,
    alert_emails: ["ops@example.com"],
    steps: [
      { name: "dump", command: "./dump.sh", args: ["--all"], retries: 2, retry_delay_s: 30 },
      { name: "restart", command: "systemctl", args: ["start", "app"], run_rule: "always", timeout_s: 60 },
    ],
  });
});
afterAll(async () => Promise.all([a?.close(), b?.close()]));

const exported = async (api: Api) => {
  const r = await api.call("GET", "/api/export");
  expect(r.headers.get("content-type")).toStartWith("application/json");
  return r.text();
};

test("the export is one readable file with pools, variables (secrets by name only) and tasks", async () => {
  const text = await exported(a);
  expect(text).toContain('\n  "pools": [\n'); // pretty, diff-friendly
  const file = JSON.parse(text);
  expect(file.lightflow).toBe(1);
  expect(file.pools).toEqual([{ name: "backup", slots: 1 }]);
  expect(file.variables).toEqual([{ key: "API_KEY", secret: true }, { key: "TARGET", value: "/srv/backup" }]);
  expect(text).not.toContain("never-exported");
  expect(file.tasks[0]).toEqual({
    name: "nightly",
    description: "the nightly backup",
    cron: "30 2 * * *",
    enabled: true,
    pool: "backup",
    catchup: true,
    start_deadline_s: 600,
    alert_emails: ["ops@example.com"],
    params: [],
    after: [],
    timezone: null,
    steps: [
      { name: "dump", command: "./dump.sh", args: ["--all"], run_rule: "on_success", timeout_s: 3600, retries: 2, retry_delay_s: 30 },
      { name: "restart", command: "systemctl", args: ["start", "app"], run_rule: "always", timeout_s: 60, retries: 0, retry_delay_s: 10 },
    ],
  });
});

test("a dry run lists what would change and changes nothing; the import then makes the same setup", async () => {
  const file = JSON.parse(await exported(a));
  await b.json("POST", "/api/tasks", { name: "only-here", steps: [{ name: "s", command: "true" }] });
  const before = await exported(b);
  const dry = await b.json("POST", "/api/import?dry_run=1", file);
  expect(dry.status).toBe(200);
  expect(dry.body.dry_run).toBe(true);
  expect(dry.body.changes).toEqual([
    { kind: "pool", name: "backup", action: "create" },
    { kind: "variable", name: "API_KEY", action: "skipped", detail: "secret without a value: set it on the Variables page" },
    { kind: "variable", name: "TARGET", action: "create" },
    { kind: "task", name: "nightly", action: "create" },
    { kind: "task", name: "only-here", action: "kept", detail: "not in the file; import never deletes" },
  ]);
  expect(await exported(b)).toBe(before);

  expect((await b.json("POST", "/api/import", file)).body.dry_run).toBe(false);
  const after = JSON.parse(await exported(b));
  expect(after.tasks.find((t: any) => t.name === "nightly")).toEqual(file.tasks[0]);
  expect((await b.json("GET", "/api/tasks/nightly")).body.next_fire_at).not.toBeNull(); // scheduled at once

  file.tasks[0].cron = "45 2 * * *";
  file.tasks[0].steps.push({ name: "notify", command: "true" });
  const again = await b.json("POST", "/api/import?dry_run=1", file);
  expect(again.body.changes.find((c: any) => c.name === "nightly")).toEqual({ kind: "task", name: "nightly", action: "update", detail: "cron, steps" });
  expect(again.body.changes.find((c: any) => c.name === "backup")).toEqual({ kind: "pool", name: "backup", action: "unchanged" });
});

test("a bad file is refused with the field at fault and changes nothing", async () => {
  const base = JSON.parse(await exported(a));
  const before = await exported(b);
  const cases: [any, string][] = [
    [{ ...base, lightflow: 2 }, "lightflow"],
    [{ ...base, tasks: [{ ...base.tasks[0], pool: "nowhere" }], pools: [] }, "tasks.0.pool"],
    [{ ...base, tasks: [{ ...base.tasks[0], cron: "0 0 31 2 *" }] }, "tasks.0.cron"],
    [{ ...base, tasks: [base.tasks[0], base.tasks[0]] }, "tasks.1.name"],
    [{ ...base, tasks: [{ ...base.tasks[0], steps: [{ name: "x" }] }] }, "tasks.0.steps.0.command"],
    [{ ...base, variables: [{ key: "PATH", value: "/x" }] }, "variables.0.key"],
    [{ ...base, extra: true }, "extra"],
  ];
  for (const [file, field] of cases) {
    const r = await b.json("POST", "/api/import", file);
    expect([field, r.status, r.body.field]).toEqual([field, 422, field]);
  }
  expect(await exported(b)).toBe(before);
});

test("the CLI exports and imports; it will not import behind a running server's back", async () => {
  const dir = tempDir();
  const file = join(dir, "setup.json");
  const exported = await runCli(["export", file], { LIGHTFLOW_DATA_DIR: a.server.dir });
  expect(exported.code).toBe(0);
  expect(JSON.parse(readFileSync(file, "utf8")).tasks[0].name).toBe("nightly");
  expect(exported.err).toMatch(new RegExp(`^lightflow: wrote ${file}: \\d+ tasks, \\d+ pools, \\d+ variables`));

  const target = await startServer({ dir: join(dir, "data") });
  const env = { LIGHTFLOW_DATA_DIR: target.dir };
  const dry = await runCli(["import", file, "--dry-run"], env);
  expect(dry.code).toBe(0);
  expect(dry.out).toMatch(/^create\s+task\s+nightly$/m);
  const refused = await runCli(["import", file], env);
  expect(refused.code).toBe(1);
  expect(refused.err).toContain(`another Lightflow server (pid ${target.proc.pid}) is running on ${target.dir}`);
  expect(refused.out).toBe(""); // refused before a plan that would not be applied
  expect(await target.stop()).toBe(0);
  const done = await runCli(["import", file], env);
  expect(done.code).toBe(0);
  const original = JSON.parse(readFileSync(file, "utf8"));
  // the same setup, but the secret: its value never left the first server
  expect(JSON.parse((await runCli(["export"], env)).out)).toEqual({ ...original, variables: original.variables.filter((v: any) => !v.secret) });

  writeFileSync(join(dir, "bad.json"), JSON.stringify({ lightflow: 1, tasks: [{ name: "x", steps: [] }] }));
  const bad = await runCli(["import", join(dir, "bad.json")], env);
  expect(bad.code).toBe(1);
  expect(bad.err).toContain("steps: 1 to 50 steps");
});
