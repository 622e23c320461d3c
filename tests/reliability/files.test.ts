// What is on disk is readable by the service's user only, and holds no secret.
import { afterAll, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { runEnded, startApi, type Api } from "../helpers/api.ts";

let api: Api;
afterAll(async () => api?.close());

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? [p, ...walk(p)] : [p];
  });
}

test("the data directory is 0700, the database and logs 0600, and no secret value is stored in a log", async () => {
  api = await startApi();
  await api.json("POST", "/api/variables", { key: "DISK_SECRET", value: "on-disk-secret-42", secret: true });
  await api.json("POST", "/api/tasks", { name: "disk", steps: [{ name: "s", command: "bash", args: ["-c", 'echo "secret is $DISK_SECRET"'] }] });
  const run = (await api.json("POST", "/api/tasks/disk/runs")).body;
  await runEnded(api, run.id);
  const dir = api.server.dir;
  const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);
  expect(mode(dir)).toBe("700");
  for (const f of ["lightflow.db", "lightflow.db-wal", "lightflow.db-shm"]) expect([f, mode(join(dir, f))]).toEqual([f, "600"]);
  const logs = walk(join(dir, "logs"));
  expect(logs.length).toBeGreaterThan(2);
  for (const p of logs) {
    const st = statSync(p);
    expect([p, mode(p)]).toEqual([p, st.isDirectory() ? "700" : "600"]);
    if (!st.isDirectory()) expect(readFileSync(p, "utf8")).not.toContain("on-disk-secret-42");
  }
  expect(readFileSync(join(dir, "logs", "disk", String(run.id), "1-s.log"), "utf8")).toBe("secret is ***\n");
});
