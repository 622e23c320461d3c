// Prometheus metrics at /api/metrics: runs by task and status, durations,
// queue length per pool, running steps, last success; admin or metrics token.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { request, runEnded, startApi, type Api } from "./helpers/api.ts";

const TOKEN = "metrics-token-0123456789";
let api: Api;
beforeAll(async () => {
  api = await startApi({ env: { LIGHTFLOW_METRICS_TOKEN: TOKEN } });
});
afterAll(async () => api?.close());

const scrape = async (auth: string) => request(api.url, "GET", "/api/metrics", undefined, { authorization: `Bearer ${auth}` });

test("runs, durations, queues, running steps and last success are exposed in the text format", async () => {
  await api.json("POST", "/api/pools", { name: "solo", slots: 1 });
  await api.json("POST", "/api/tasks", { name: "m-ok", steps: [{ name: "s", command: "true" }] });
  await api.json("POST", "/api/tasks", { name: "m-bad", steps: [{ name: "s", command: "false" }] });
  await api.json("POST", "/api/tasks", { name: "m-long", pool: "solo", steps: [{ name: "s", command: "sleep", args: ["30"] }] });
  await api.json("POST", "/api/tasks", { name: "m-wait", pool: "solo", steps: [{ name: "s", command: "true" }] });
  for (const t of ["m-ok", "m-ok", "m-bad"]) await runEnded(api, (await api.json("POST", `/api/tasks/${t}/runs`)).body.id);
  const long = (await api.json("POST", "/api/tasks/m-long/runs")).body;
  await api.json("POST", "/api/tasks/m-wait/runs");
  const res = await scrape(TOKEN);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toStartWith("text/plain; version=0.0.4");
  const text = await res.text();
  expect(text).toContain('lightflow_runs_total{task="m-ok",status="success"} 2');
  expect(text).toContain('lightflow_runs_total{task="m-bad",status="failed"} 1');
  expect(text).toContain("# TYPE lightflow_run_duration_seconds histogram");
  expect(text).toContain('lightflow_run_duration_seconds_count{task="m-ok"} 2');
  expect(text).toContain('lightflow_run_duration_seconds_bucket{task="m-ok",le="+Inf"} 2');
  expect(text).toContain('lightflow_queued_runs{pool="solo"} 1');
  expect(text).toContain('lightflow_running_runs{pool="solo"} 1');
  expect(text).toContain("lightflow_running_steps 1");
  expect(text).toMatch(/lightflow_last_success_timestamp_seconds\{task="m-ok"\} \d+\.?\d*/);
  expect(text).not.toContain('lightflow_last_success_timestamp_seconds{task="m-bad"}');
  await api.call("POST", `/api/runs/${long.id}/cancel`);
  await runEnded(api, long.id);
});

test("admins and the metrics token may read; viewers, strangers and wrong tokens may not", async () => {
  expect((await api.call("GET", "/api/metrics")).status).toBe(200);
  const viewer = await api.user("metrics-viewer@example.com", "viewer");
  expect((await scrape(viewer.token)).status).toBe(403);
  expect((await scrape("metrics-token-wrong-000000")).status).toBe(401);
  expect((await request(api.url, "GET", "/api/metrics")).status).toBe(401);
  // the metrics token is no user: it opens nothing else
  expect((await scrape(TOKEN).then(() => request(api.url, "GET", "/api/tasks", undefined, { authorization: `Bearer ${TOKEN}` }))).status).toBe(401);
});
