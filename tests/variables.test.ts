// Variable values at the edge: a value no program's environment can carry, or
// a secret too short to be masked, is refused with 422 on `value` by every way
// in (POST, PUT, a setup import), and the refusal never quotes the value.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startApi, type Api } from "./helpers/api.ts";

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => api?.close());

const NUL = "value: a NUL byte cannot be passed to a program in its environment";
const SHORT = "value: a secret must be at least 4 characters, so it can be masked in logs";

async function keys(): Promise<string[]> {
  return (await api.json("GET", "/api/variables")).body.map((v: { key: string }) => v.key);
}

describe("creating a variable", () => {
  test("a value with a NUL byte is refused, secret or not, without quoting it", async () => {
    for (const secret of [true, false]) {
      const r = await api.call("POST", "/api/variables", { key: `NUL_${secret}`, value: "k7q\u0000tail-k7q", secret });
      const text = await r.text();
      expect(r.status).toBe(422);
      expect(JSON.parse(text)).toEqual({ error: NUL, field: "value" });
      expect(text).not.toContain("k7q");
    }
    expect(await keys()).not.toContain("NUL_true");
  });

  test("a value too long for an environment once encoded is refused", async () => {
    // 65,536 characters pass the length check, but "é" takes 2 bytes: 128 KiB and more
    const r = await api.json("POST", "/api/variables", { key: "WIDE", value: "é".repeat(65536) });
    expect(r.status).toBe(422);
    expect(r.body).toEqual({ error: "value: too long for a program's environment: key and value together at most 128 KiB in UTF-8", field: "value" });
  });

  test("a secret under 4 characters is refused; a plain value that short is fine", async () => {
    expect(await api.json("POST", "/api/variables", { key: "PIN", value: "4q7", secret: true })).toEqual({ status: 422, body: { error: SHORT, field: "value" } });
    expect(await api.json("POST", "/api/variables", { key: "EMPTY_SECRET", value: "", secret: true })).toEqual({ status: 422, body: { error: SHORT, field: "value" } });
    expect((await api.json("POST", "/api/variables", { key: "PIN4", value: "4q7z", secret: true })).status).toBe(201);
    expect((await api.json("POST", "/api/variables", { key: "SHORT_PLAIN", value: "ab" })).status).toBe(201);
  });
});

describe("changing a variable", () => {
  test("a plain variable with a short value cannot become secret without a longer value", async () => {
    await api.json("POST", "/api/variables", { key: "TO_HIDE", value: "x1" });
    expect(await api.json("PUT", "/api/variables/TO_HIDE", { secret: true })).toEqual({ status: 422, body: { error: SHORT, field: "value" } });
    expect((await api.json("GET", "/api/variables")).body).toContainEqual({ key: "TO_HIDE", value: "x1", secret: false });
    expect(await api.json("PUT", "/api/variables/TO_HIDE", { secret: true, value: "x1-longer" })).toEqual({ status: 200, body: { key: "TO_HIDE", value: null, secret: true } });
  });

  test("a secret's new value must be maskable and carriable", async () => {
    await api.json("POST", "/api/variables", { key: "ROTATED", value: "first-value", secret: true });
    expect(await api.json("PUT", "/api/variables/ROTATED", { value: "ab" })).toEqual({ status: 422, body: { error: SHORT, field: "value" } });
    const r = await api.call("PUT", "/api/variables/ROTATED", { value: "z9w\u0000z9w" });
    expect(r.status).toBe(422);
    expect(await r.text()).not.toContain("z9w");
  });
});

describe("importing a setup file", () => {
  test("the same rule holds, naming the variable's place in the file", async () => {
    const file = (variables: unknown[]) => ({ lightflow: 1, variables });
    const nul = await api.call("POST", "/api/import", file([{ key: "OK_ONE", value: "fine" }, { key: "IMPORTED", value: "j4x\u0000j4x" }]));
    expect(nul.status).toBe(422);
    const text = await nul.text();
    expect(JSON.parse(text)).toEqual({ error: "variables.1.value: a NUL byte cannot be passed to a program in its environment", field: "variables.1.value" });
    expect(text).not.toContain("j4x");
    expect(await api.json("POST", "/api/import", file([{ key: "IMPORTED", value: "abc", secret: true }]))).toEqual({
      status: 422,
      body: { error: "variables.0.value: a secret must be at least 4 characters, so it can be masked in logs", field: "variables.0.value" },
    });
    expect(await keys()).not.toContain("OK_ONE"); // a refused import changes nothing
  });
});
