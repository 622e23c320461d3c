// Hostile bodies on every route that takes one: nested 100,000 deep, over the
// size limit (declared, or streamed without a length), or not JSON at all. Each
// is refused with the {"error"} contract and the security headers, no 5xx, and
// the server keeps answering everyone else meanwhile.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startApi, type Api } from "../helpers/api.ts";
import { bodyOf, routes, seedRouteFixtures, type Route } from "../helpers/routes.ts";

let api: Api;
let withBody: Route[];

beforeAll(async () => {
  api = await startApi();
  const runId = await seedRouteFixtures(api);
  // a script's content is raw bytes, any content type (tests/scripts.test.ts holds its limits)
  withBody = routes(runId).filter((r) => bodyOf(r, "admin") !== undefined && !r.path.startsWith("/api/scripts/acc"));
});
afterAll(async () => api?.close());

const auth = () => ({ authorization: `Bearer ${api.token}` });

async function send(method: string, path: string, body: BodyInit, headers: Record<string, string>) {
  const res = await fetch(api.url + path, { method, body, headers: { ...auth(), ...headers } });
  const text = await res.text();
  return { res, text, json: (() => { try { return JSON.parse(text); } catch { return null; } })() };
}

/** The error contract: a JSON {"error": "..."} with the headers every answer has. */
function refused(where: string, r: Awaited<ReturnType<typeof send>>, status: number): void {
  expect([where, r.res.status]).toEqual([where, status]);
  expect([where, typeof r.json?.error]).toEqual([where, "string"]);
  expect([where, r.res.headers.get("content-type")]).toEqual([where, "application/json;charset=utf-8"]);
  expect([where, r.res.headers.get("content-security-policy")?.includes("default-src 'self'")]).toEqual([where, true]);
  expect([where, r.res.headers.get("x-content-type-options")]).toEqual([where, "nosniff"]);
}

const JSON_TYPE = { "content-type": "application/json" };

describe("hostile bodies on every route with a body", () => {
  test("100,000 levels of nesting: 400, whatever the shape, before anything parses it", async () => {
    const shapes = ["[".repeat(100_000), `{"name":${"[".repeat(100_000)}${"]".repeat(100_000)}}`, `${'{"a":'.repeat(50_000)}1${"}".repeat(50_000)}`];
    for (const { method, path } of withBody) {
      for (const shape of shapes) refused(`${method} ${path}`, await send(method, path, shape, JSON_TYPE), 400);
    }
    // the login page is public: the same for a stranger
    const anon = await fetch(api.url + "/api/auth/login", { method: "POST", body: shapes[1], headers: JSON_TYPE });
    expect(anon.status).toBe(400);
    expect((await anon.json()).error).toContain("nested too deeply");
  });

  test("over 1 MiB, declared or streamed without a length: 413 with a JSON error and the headers", async () => {
    const big = JSON.stringify({ name: "x".repeat(2 * 1024 * 1024) });
    for (const { method, path } of withBody) {
      refused(`${method} ${path} declared`, await send(method, path, big, JSON_TYPE), 413);
      async function* trickle() {
        for (let i = 0; i < 40; i++) yield new Uint8Array(64 * 1024).fill(32);
      }
      refused(`${method} ${path} streamed`, await send(method, path, trickle() as unknown as BodyInit, JSON_TYPE), 413);
    }
    // far over it (where Bun's own limit would answer with a bare 413 and no headers)
    refused("100 MB", await send("POST", "/api/tasks", "x".repeat(100 * 1024 * 1024), JSON_TYPE), 413);
  });

  test("a form (curl -d without a content type) or plain text is 415 saying the body must be JSON", async () => {
    // a route that takes plain text (a crontab) is the exception
    for (const route of withBody.filter((r) => !r.headers?.["content-type"]?.startsWith("text/plain"))) {
      const where = `${route.method} ${route.path}`;
      const body = JSON.stringify(bodyOf(route, "admin"));
      for (const type of ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"]) {
        const r = await send(route.method, route.path, body, { "content-type": type });
        refused(`${where} as ${type}`, r, 415);
        expect([where, r.json.error]).toEqual([where, `the body must be JSON: send it with "content-type: application/json" (got "${type.split(";")[0]}")`]);
      }
    }
  });

  test("while a hostile body is still arriving, everyone else is answered", async () => {
    let finish!: () => void;
    const gate = new Promise<void>((r) => (finish = r));
    async function* slowDeep() {
      yield new TextEncoder().encode("[".repeat(50_000));
      await gate;
      yield new TextEncoder().encode("[".repeat(50_000));
    }
    const hostile = fetch(api.url + "/api/auth/login", { method: "POST", body: slowDeep() as unknown as BodyInit, headers: JSON_TYPE });
    for (let i = 0; i < 5; i++) expect((await fetch(api.url + "/api/alive")).status).toBe(200);
    expect((await api.json("GET", "/api/tasks")).status).toBe(200);
    finish();
    expect((await hostile).status).toBe(400);
  });
});

describe("the method and the path", () => {
  test("a known path with another method is 405 with Allow; an unknown one 404", async () => {
    const r = await api.call("DELETE", "/api/tasks");
    expect(r.status).toBe(405);
    expect(r.headers.get("allow")).toBe("GET, POST");
    expect((await r.json()).error).toBe("DELETE is not allowed on /api/tasks; use GET or POST");
    const pools = await api.call("POST", "/api/pools/acc-pool");
    expect(pools.status).toBe(405);
    expect(pools.headers.get("allow")).toBe("PUT, DELETE");
    expect((await api.call("GET", "/api/no-such-thing")).status).toBe(404);
  });
});
