// Bad input gets a clear error naming the field, never a stack trace or a 500,
// and changes nothing.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startApi, type Api } from "./helpers/api.ts";

let api: Api;
beforeAll(async () => {
  api = await startApi();
  await api.json("POST", "/api/tasks", { name: "keep", cron: "0 3 * * *", steps: [{ name: "s", command: "true" }] });
  await api.json("POST", "/api/pools", { name: "keep-pool", slots: 1 });
});
afterAll(async () => api?.close());

const step = { name: "s", command: "true" };
const state = async () => JSON.stringify([(await api.json("GET", "/api/tasks")).body, (await api.json("GET", "/api/pools")).body, (await api.json("GET", "/api/variables")).body]);

/** Sends, checks status, body shape and field; returns the body. */
async function refused(method: string, path: string, body: unknown, status: number, field?: string) {
  const r = await api.call(method, path, body);
  const text = await r.text();
  expect([method, path, JSON.stringify(body)?.slice(0, 80), r.status]).toEqual([method, path, JSON.stringify(body)?.slice(0, 80), status]);
  const json = JSON.parse(text);
  expect(typeof json.error).toBe("string");
  expect(json.error.length).toBeGreaterThan(5);
  expect(text).not.toMatch(/\bat \S+ \([^)]*:\d+:\d+\)|\.ts:\d+:\d+|node_modules\//); // no stack trace
  if (field !== undefined) expect(json.field).toBe(field);
  return json;
}

describe("malformed requests", () => {
  test("malformed JSON is 400", async () => {
    const before = await state();
    await refused("POST", "/api/tasks", "{not json", 400);
    await refused("PUT", "/api/tasks/keep", '{"name": "keep", "steps": [', 400);
    expect(await state()).toBe(before);
  });

  test("a body that is not an object is refused", async () => {
    for (const body of ["[1,2]", "null", '"text"', "42"]) expect((await api.call("POST", "/api/pools", body)).status).toBeGreaterThanOrEqual(400);
  });

  test("a body over 1 MiB is 413 with a JSON error", async () => {
    const before = await state();
    const r = await api.call("POST", "/api/tasks", { name: "big", description: "x".repeat(1_200_000), steps: [step] });
    expect(r.status).toBe(413);
    expect((await r.json()).error).toContain("too big");
    expect(await state()).toBe(before);
  });
});

describe("invalid values name their field", () => {
  test("wrong types", async () => {
    const before = await state();
    await refused("POST", "/api/tasks", { name: 5, steps: [step] }, 422, "name");
    await refused("POST", "/api/tasks", { name: "x", steps: "true" }, 422, "steps");
    await refused("POST", "/api/tasks", { name: "x", steps: [{ name: "s", command: 1 }] }, 422, "steps.0.command");
    await refused("POST", "/api/tasks", { name: "x", enabled: "yes", steps: [step] }, 422, "enabled");
    await refused("POST", "/api/tasks", { name: "x", steps: [{ ...step, args: "a b" }] }, 422, "steps.0.args");
    await refused("POST", "/api/pools", { name: "p", slots: "2" }, 422, "slots");
    expect(await state()).toBe(before);
  });

  test("unknown fields", async () => {
    const before = await state();
    await refused("POST", "/api/tasks", { name: "x", steps: [step], owner: "me" }, 422, "owner");
    await refused("POST", "/api/tasks", { name: "x", steps: [{ ...step, shell: true }] }, 422, "steps.0.shell");
    await refused("PATCH", "/api/tasks/keep", { id: 9 }, 422, "id");
    expect(await state()).toBe(before);
  });

  test("names with /, .., NUL, only digits, 10 kB, or empty", async () => {
    const before = await state();
    for (const name of ["a/b", "..", ".", "a\u0000b", "123", "x".repeat(10_000), "", "ünïcode", "a b", "<script>"]) {
      await refused("POST", "/api/tasks", { name, steps: [step] }, 422, "name");
      await refused("POST", "/api/pools", { name, slots: 1 }, 422, "name");
    }
    await refused("POST", "/api/tasks", { name: "x", steps: [{ ...step, name: "a/b" }] }, 422, "steps.0.name");
    await refused("POST", "/api/tasks", { name: "x", steps: [step, step] }, 422, "steps.1.name");
    await refused("POST", "/api/tasks", { name: "x", steps: [{ ...step, command: "a\u0000b" }] }, 422, "steps.0.command");
    await refused("POST", "/api/tasks", { name: "x", steps: [{ ...step, args: ["a\u0000"] }] }, 422, "steps.0.args.0");
    await refused("POST", "/api/tasks", { name: "x", description: "d".repeat(10_001), steps: [step] }, 422, "description");
    await refused("POST", "/api/variables", { key: "1ABC", value: "x" }, 422, "key");
    await refused("POST", "/api/variables", { key: "A", value: "v".repeat(65_537) }, 422, "value");
    expect(await state()).toBe(before);
  });

  test("negative, fractional and huge numbers", async () => {
    const before = await state();
    for (const timeout_s of [0, -1, 1.5, 604_801, 1e20]) await refused("POST", "/api/tasks", { name: "x", steps: [{ ...step, timeout_s }] }, 422, "steps.0.timeout_s");
    for (const slots of [0, -3, 2.5, 1e9]) await refused("POST", "/api/pools", { name: "p", slots }, 422, "slots");
    await refused("PUT", "/api/pools/keep-pool", { slots: -1 }, 422, "slots");
    // a nullable field keeps its own message
    const deadline = await refused("POST", "/api/tasks", { name: "x", start_deadline_s: 0, steps: [step] }, 422, "start_deadline_s");
    expect(deadline.error).toContain("whole seconds from 1");
    await refused("GET", "/api/tasks/keep/runs?limit=-1", undefined, 422, "limit");
    await refused("GET", "/api/tasks/keep/runs?limit=100000", undefined, 422, "limit");
    await refused("GET", "/api/grid?runs=0", undefined, 422, "runs");
    await refused("GET", "/api/cron/preview?expr=*+*+*+*+*&count=51", undefined, 422, "count");
    expect(await state()).toBe(before);
  });

  test("steps: none, too many, bad run rule", async () => {
    const before = await state();
    await refused("POST", "/api/tasks", { name: "x", steps: [] }, 422, "steps");
    await refused("POST", "/api/tasks", { name: "x", steps: Array.from({ length: 51 }, (_, i) => ({ ...step, name: `s${i}` })) }, 422, "steps");
    await refused("POST", "/api/tasks", { name: "x", steps: [{ ...step, run_rule: "sometimes" }] }, 422, "steps.0.run_rule");
    expect(await state()).toBe(before);
  });

  test("invalid CRON", async () => {
    const before = await state();
    for (const cron of ["* * *", "61 * * * *", "0 0 31 2 *", "a b c d e", "*/0 * * * *", "0 0 * * 8"]) {
      const body = await refused("POST", "/api/tasks", { name: "x", cron, steps: [step] }, 422, "cron");
      expect(body.error).toMatch(/^cron: /);
      await refused("PATCH", "/api/tasks/keep", { cron }, 422, "cron");
    }
    expect((await api.json("GET", "/api/tasks/keep")).body.cron).toBe("0 3 * * *");
    expect(await state()).toBe(before);
  });
});

describe("unknown things are 404", () => {
  test("task, run, step, pool, variable, token, user", async () => {
    await refused("GET", "/api/tasks/nope", undefined, 404);
    await refused("PUT", "/api/tasks/nope", { name: "nope", steps: [step] }, 404);
    await refused("POST", "/api/tasks/nope/runs", undefined, 404);
    await refused("GET", "/api/runs/999999", undefined, 404);
    await refused("POST", "/api/runs/999999/cancel", undefined, 404);
    await refused("GET", "/api/runs/999999/steps/1/log", undefined, 404);
    await refused("PUT", "/api/pools/nope", { slots: 1 }, 404);
    await refused("DELETE", "/api/variables/NOPE", undefined, 404);
    await refused("DELETE", "/api/me/tokens/999999", undefined, 404);
    await refused("PATCH", "/api/users/999999", { role: "viewer" }, 404);
  });

  test("ids that are not numbers are refused, not 500", async () => {
    await refused("GET", "/api/runs/abc", undefined, 422, "run");
    await refused("GET", "/api/runs/-1", undefined, 422, "run");
    await refused("GET", "/api/runs/1/steps/0/log", undefined, 422, "pos");
  });
});
