// Run history you can read (filters by status and date) and a CRON preview
// that explains DST.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { runEnded, startApi, type Api } from "./helpers/api.ts";

let api: Api;
beforeAll(async () => {
  api = await startApi({ env: { LIGHTFLOW_TIMEZONE: "Europe/Berlin" } });
});
afterAll(async () => api?.close());

test("runs filter by status and by date", async () => {
  await api.json("POST", "/api/tasks", { name: "mixed", steps: [{ name: "s", command: "bash", args: ["-c", 'exit "$(cat "$LIGHTFLOW_DATA_DIR/next-exit" 2>/dev/null || echo 0)"'] }] });
  const ids: Record<string, number[]> = { success: [], failed: [] };
  for (const [code, status] of [["0", "success"], ["1", "failed"], ["0", "success"], ["3", "failed"]] as const) {
    await Bun.write(`${api.server.dir}/next-exit`, code);
    const run = (await api.json("POST", "/api/tasks/mixed/runs")).body;
    expect((await runEnded(api, run.id)).status).toBe(status);
    ids[status]!.push(run.id);
  }
  const failed = (await api.json("GET", "/api/tasks/mixed/runs?status=failed")).body;
  expect(failed.map((r: any) => r.id)).toEqual([...ids.failed!].reverse());
  const both = (await api.json("GET", "/api/tasks/mixed/runs?status=failed,success&limit=3")).body;
  expect(both.length).toBe(3);
  const future = (await api.json("GET", `/api/tasks/mixed/runs?from=${new Date(Date.now() + 3_600_000).toISOString()}`)).body;
  expect(future).toEqual([]);
  const past = (await api.json("GET", `/api/tasks/mixed/runs?to=${new Date(Date.now() + 1000).toISOString()}&status=success`)).body;
  expect(past.map((r: any) => r.id)).toEqual([...ids.success!].reverse());
  const bad = await api.json("GET", "/api/tasks/mixed/runs?status=green");
  expect(bad.status).toBe(422);
  expect(bad.body.field).toBe("status");
});

test("the CRON preview marks fire times in a skipped or repeated hour and says what happens", async () => {
  const q = (expr: string, from: string) => api.json("GET", `/api/cron/preview?expr=${encodeURIComponent(expr)}&count=2&from=${from}`);
  const spring = (await q("30 2 * * *", "2026-03-28T12:00:00Z")).body;
  expect(spring.timezone).toBe("Europe/Berlin");
  expect(spring.next).toEqual(["2026-03-29T01:00:00.000Z", "2026-03-30T00:30:00.000Z"]);
  expect(spring.notes).toEqual([{ at: "2026-03-29T01:00:00.000Z", kind: "skipped", message: expect.stringContaining("runs at 03:00") }]);
  const autumn = (await q("30 2 * * *", "2026-10-24T12:00:00Z")).body;
  expect(autumn.notes).toEqual([{ at: "2026-10-25T00:30:00.000Z", kind: "repeated", message: expect.stringContaining("runs once") }]);
  expect((await q("0 12 * * *", "2026-06-01T00:00:00Z")).body.notes).toEqual([]);
});
