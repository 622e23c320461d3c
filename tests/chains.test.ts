// Chains through the API against the real server: `after` links, the runs a
// run's end queues (with their upstream in the environment), the 422s and the
// 409, renames, pools and coalescing, export and import.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runFinished, startApi, watchSocket, type Api } from "./helpers/api.ts";

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => api?.close());

const FINISHED = ["success", "failed", "cancelled"];
const shTask = (name: string, script: string, extra: Record<string, unknown> = {}) => ({
  name,
  steps: [{ name: "s", command: "bash", args: ["-c", script] }],
  ...extra,
});
/** A step that prints what it knows of the run that queued it. */
const SHOW_UPSTREAM = 'echo "$LIGHTFLOW_TRIGGER|$LIGHTFLOW_UPSTREAM_TASK|$LIGHTFLOW_UPSTREAM_RUN_ID|$LIGHTFLOW_UPSTREAM_STATUS"';

async function create(body: unknown): Promise<any> {
  const r = await api.json("POST", "/api/tasks", body);
  expect(r.status).toBe(201);
  return r.body;
}
const trigger = async (task: string) => (await api.json("POST", `/api/tasks/${task}/runs`)).body;
const runsOf = async (task: string) => (await api.json("GET", `/api/tasks/${task}/runs`)).body as any[];
const logOf = async (runId: number) => (await (await api.call("GET", `/api/runs/${runId}/steps/1/log`)).text()).trim();

/** Resolves with the first run event (so far or to come) of `task` that is finished. */
function endOf(events: ReturnType<typeof watchSocket>, task: string): Promise<any> {
  return events.next((m) => m.type === "run" && m.run.task === task && FINISHED.includes(m.run.status)).then((m) => m.run);
}

describe("a three-task chain: b after a on success, c after a on failure", () => {
  test("a succeeds: b runs with a's run in its environment, c does not", async () => {
    const flag = join(api.server.dir, "chain-a-fails");
    await create(shTask("chain-a", `[ -e "${flag}" ] && exit 3; exit 0`));
    await create(shTask("chain-b", SHOW_UPSTREAM, { after: [{ task: "chain-a", when: "success" }] }));
    await create(shTask("chain-c", SHOW_UPSTREAM, { after: [{ task: "chain-a", when: "failed" }] }));
    const events = watchSocket(api, "/api/events");
    await events.opened;
    try {
      const a = await trigger("chain-a");
      const b = await endOf(events, "chain-b");
      expect(b).toMatchObject({ status: "success", trigger: "after", triggered_by: `chain-a#${a.id}` });
      expect(await logOf(b.id)).toBe(`after|chain-a|${a.id}|success`);
      // c's decision was taken in the same moment as b's: nothing came of it
      expect(await runsOf("chain-c")).toEqual([]);

      writeFileSync(flag, "");
      const a2 = await trigger("chain-a");
      const c = await endOf(events, "chain-c");
      expect(c).toMatchObject({ status: "success", trigger: "after", triggered_by: `chain-a#${a2.id}` });
      expect(await logOf(c.id)).toBe(`after|chain-a|${a2.id}|failed`);
      expect((await runsOf("chain-b")).map((r) => r.id)).toEqual([b.id]);
    } finally {
      events.close();
      rmSync(flag, { force: true });
    }
  });

  test("the task shows what it follows, and a rename of its upstream is followed", async () => {
    await create(shTask("ren-up", "true"));
    await create(shTask("ren-down", SHOW_UPSTREAM, { after: [{ task: "ren-up", when: "finished" }] }));
    const renamed = await api.json("PUT", "/api/tasks/ren-up", shTask("ren-up-2", "true"));
    expect(renamed.status).toBe(200);
    expect((await api.json("GET", "/api/tasks/ren-down")).body.after).toEqual([{ task: "ren-up-2", when: "finished" }]);
    const events = watchSocket(api, "/api/events");
    await events.opened;
    try {
      const up = await trigger("ren-up-2");
      const down = await endOf(events, "ren-down");
      expect(down.triggered_by).toBe(`ren-up-2#${up.id}`);
      expect(await logOf(down.id)).toBe(`after|ren-up-2|${up.id}|success`);
    } finally {
      events.close();
    }
  });

  test("a task whose Auto toggle is off is not queued by its upstream", async () => {
    await create(shTask("off-up", "true"));
    await create(shTask("off-down", "true", { enabled: false, after: [{ task: "off-up", when: "success" }] }));
    await create(shTask("off-witness", "true", { after: [{ task: "off-up", when: "success" }] }));
    const events = watchSocket(api, "/api/events");
    await events.opened;
    try {
      await trigger("off-up");
      await endOf(events, "off-witness"); // queued in the same moment as off-down would have been
      expect(await runsOf("off-down")).toEqual([]);
    } finally {
      events.close();
    }
  });
});

describe("refused links", () => {
  test("an unknown upstream, the task itself, a task listed twice and a bad when: 422 naming the field", async () => {
    await create(shTask("ref-a", "true"));
    const cases: [unknown, string, RegExp][] = [
      [[{ task: "no-such-task", when: "success" }], "after.0.task", /no task named "no-such-task"/],
      [[{ task: "ref-self", when: "success" }], "after.0.task", /cannot run after itself/],
      [[{ task: "ref-a", when: "success" }, { task: "ref-a", when: "failed" }], "after.1.task", /listed twice/],
      [[{ task: "ref-a", when: "sometimes" }], "after.0.when", /"success", "failed" or "finished"/],
    ];
    for (const [after, field, message] of cases) {
      const r = await api.json("POST", "/api/tasks", shTask("ref-self", "true", { after }));
      expect(r.status).toBe(422);
      expect(r.body.field).toBe(field);
      expect(r.body.error).toMatch(message);
    }
    expect((await api.json("GET", "/api/tasks/ref-self")).status).toBe(404); // no partial row
  });

  test("a cycle (a → b → a, or longer) is refused with 422 on after, by PUT and by PATCH", async () => {
    await create(shTask("cyc-a", "true"));
    await create(shTask("cyc-b", "true", { after: [{ task: "cyc-a", when: "success" }] }));
    await create(shTask("cyc-c", "true", { after: [{ task: "cyc-b", when: "finished" }] }));
    const put = await api.json("PUT", "/api/tasks/cyc-a", shTask("cyc-a", "true", { after: [{ task: "cyc-b", when: "failed" }] }));
    expect(put.status).toBe(422);
    expect(put.body).toMatchObject({ field: "after" });
    expect(put.body.error).toContain("cyc-a → cyc-b → cyc-a");
    const patch = await api.json("PATCH", "/api/tasks/cyc-a", { after: [{ task: "cyc-c", when: "success" }] });
    expect(patch.status).toBe(422);
    expect(patch.body.error).toContain("cyc-a → cyc-c → cyc-b → cyc-a");
    expect((await api.json("GET", "/api/tasks/cyc-a")).body.after).toEqual([]);
    // renaming a task inside a chain keeps its links (by id) and is no cycle
    const renamed = await api.json("PUT", "/api/tasks/cyc-c", shTask("cyc-c2", "true", { after: [{ task: "cyc-b", when: "finished" }] }));
    expect(renamed.status).toBe(200);
  });

  test("deleting a task that others follow: 409 listing them; once unlinked it goes", async () => {
    await create(shTask("del-up", "true"));
    await create(shTask("del-f1", "true", { after: [{ task: "del-up", when: "success" }] }));
    await create(shTask("del-f2", "true", { after: [{ task: "del-up", when: "failed" }] }));
    const r = await api.json("DELETE", "/api/tasks/del-up");
    expect(r.status).toBe(409);
    expect(r.body.followers).toEqual(["del-f1", "del-f2"]);
    expect(r.body.error).toContain('remove "del-up" from their "after" first');
    await api.json("PATCH", "/api/tasks/del-f1", { after: [] });
    await api.json("DELETE", "/api/tasks/del-f2");
    expect((await api.call("DELETE", "/api/tasks/del-up")).status).toBe(204);
  });
});

describe("chained runs obey the queue's rules", () => {
  test("into a 1-slot pool: the chained run waits for the slot; more upstream ends while it waits add no run", async () => {
    expect((await api.json("POST", "/api/pools", { name: "chain-one", slots: 1 })).status).toBe(201);
    await create(shTask("pool-hold", "sleep 300", { pool: "chain-one" }));
    await create(shTask("pool-up", "true"));
    await create(shTask("pool-down", SHOW_UPSTREAM, { pool: "chain-one", after: [{ task: "pool-up", when: "success" }] }));
    await create(shTask("pool-cancelled", SHOW_UPSTREAM, { after: [{ task: "pool-hold", when: "failed" }] }));
    const events = watchSocket(api, "/api/events");
    await events.opened;
    try {
      const hold = await trigger("pool-hold");
      await events.next((m) => m.type === "run" && m.run.id === hold.id && m.run.status === "running");
      const up1 = await trigger("pool-up");
      await runFinished(api, up1.id);
      const up2 = await trigger("pool-up");
      await runFinished(api, up2.id);
      const waiting = await runsOf("pool-down");
      expect(waiting.map((r) => [r.status, r.triggered_by])).toEqual([["queued", `pool-up#${up1.id}`]]);
      expect((await api.json("GET", "/api/pools")).body.find((p: any) => p.name === "chain-one")).toMatchObject({ running: 1, queued: 1 });

      // cancelling the holder frees the slot; a cancelled run counts as "failed" for what follows it
      await api.json("POST", `/api/runs/${hold.id}/cancel`);
      const down = await runFinished(api, waiting[0].id);
      expect(down.status).toBe("success");
      expect(await logOf(down.id)).toBe(`after|pool-up|${up1.id}|success`);
      const cancelled = await endOf(events, "pool-cancelled");
      expect(await logOf(cancelled.id)).toBe(`after|pool-hold|${hold.id}|cancelled`);
    } finally {
      events.close();
    }
  });
});

describe("export and import carry the links", () => {
  test("an import creates a downstream listed before its upstream; a cycle in the file is refused", async () => {
    const file = {
      lightflow: 1,
      tasks: [
        shTask("imp-down", "true", { after: [{ task: "imp-up", when: "finished" }] }),
        shTask("imp-up", "true", { timezone: "Asia/Tokyo" }),
      ],
    };
    const r = await api.json("POST", "/api/import", file);
    expect(r.status).toBe(200);
    expect((await api.json("GET", "/api/tasks/imp-down")).body.after).toEqual([{ task: "imp-up", when: "finished" }]);
    const exported = (await api.json("GET", "/api/export")).body;
    expect(exported.tasks.find((t: any) => t.name === "imp-down").after).toEqual([{ task: "imp-up", when: "finished" }]);
    expect(exported.tasks.find((t: any) => t.name === "imp-up")).toMatchObject({ after: [], timezone: "Asia/Tokyo" });

    const cycle = { lightflow: 1, tasks: [shTask("imp-up", "true", { after: [{ task: "imp-down", when: "success" }] })] };
    const bad = await api.json("POST", "/api/import", cycle);
    expect(bad.status).toBe(422);
    expect(bad.body.field).toBe("tasks.0.after");
    expect(bad.body.error).toContain("imp-up → imp-down → imp-up");
  });

  test("a change of the links is in the audit log", async () => {
    await create(shTask("aud-up", "true"));
    await create(shTask("aud-down", "true"));
    await api.json("PUT", "/api/tasks/aud-down", shTask("aud-down", "true", { after: [{ task: "aud-up", when: "failed" }] }));
    const audit = (await api.json("GET", "/api/audit")).body as any[];
    expect(audit.find((e) => e.action === "task.update" && e.target === "aud-down")?.detail).toBe("after: aud-up (failed)");
  });
});
