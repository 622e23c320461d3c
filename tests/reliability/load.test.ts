// Fifty API clients at once, hammering the grid, logs and triggers while runs
// execute: no server error, no lost run, bounded memory.
import { afterAll, expect, test } from "bun:test";
import { runEnded, startApi, type Api } from "../helpers/api.ts";
import { rssKiB } from "../helpers/procs.ts";
import { pick } from "../helpers/soak.ts";

const CLIENTS = 50;
const SECONDS = pick(8, 60);
let api: Api;
afterAll(async () => api?.close());

test(`${CLIENTS} clients for ${SECONDS} s: no error, no lost run, bounded memory`, async () => {
  api = await startApi({ env: { LIGHTFLOW_GLOBAL_CONCURRENCY: "4" } });
  for (let i = 0; i < 10; i++) {
    await api.json("POST", "/api/tasks", { name: `busy${i}`, steps: [{ name: "s", command: "bash", args: ["-c", "for i in $(seq 1 20); do echo line $i; done; sleep 0.05"] }] });
  }
  const first = (await api.json("POST", "/api/tasks/busy0/runs")).body;
  const until = Date.now() + SECONDS * 1000;
  const statuses = new Map<number, number>();
  const triggered = new Set<number>([first.id]);
  let maxRss = 0;
  const client = async (n: number) => {
    for (let i = 0; Date.now() < until; i++) {
      const kind = (n + i) % 4;
      let r: Response;
      if (kind === 0) r = await api.call("GET", "/api/grid?runs=25");
      else if (kind === 1) r = await api.call("GET", `/api/runs/${first.id}/steps/1/log?tail=100`);
      else if (kind === 2) {
        r = await api.call("POST", `/api/tasks/busy${(n + i) % 10}/runs`);
        if (r.status === 202) triggered.add(((await r.clone().json()) as { id: number }).id);
      } else r = await api.call("GET", `/api/tasks/busy${n % 10}/runs?limit=10`);
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      await r.arrayBuffer();
      if (n === 0) maxRss = Math.max(maxRss, rssKiB(api.server.proc.pid));
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)));
  expect(Object.fromEntries([...statuses].filter(([s]) => s !== 200 && s !== 202))).toEqual({});
  expect(maxRss).toBeLessThan(300 * 1024);
  // every run that was triggered ends: nothing lost, nothing stuck
  for (const id of triggered) await runEnded(api, id);
  const grid = (await api.json("GET", "/api/grid?runs=200")).body;
  const known = new Set(grid.tasks.flatMap((t: any) => t.runs.map((r: any) => r.id)));
  for (const id of triggered) expect(known.has(id)).toBe(true);
});
