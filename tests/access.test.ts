// Access over the real server: a role's cookie over HTTP, revoked tokens,
// cookies sent from another origin, WebSocket upgrades, response headers. The
// route-by-role matrix runs in process beside the app (server/http/access.test.ts).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { request, runFinished, startApi, type Api } from "./helpers/api.ts";

let api: Api;
let viewer: { token: string; cookie: string };
let runId: number;

beforeAll(async () => {
  api = await startApi();
  viewer = await api.user("viewer@example.com", "viewer");
  await api.json("POST", "/api/tasks", { name: "acc-task", steps: [{ name: "s", command: "true" }] });
  runId = (await api.json("POST", "/api/tasks/acc-task/runs")).body.id as number;
  await runFinished(api, runId);
});
afterAll(async () => api?.close());

describe("roles over real HTTP", () => {
  test("a viewer's session cookie reads like its token and is refused a change", async () => {
    expect((await request(api.url, "GET", "/api/me", undefined, { cookie: viewer.cookie })).status).toBe(200);
    expect((await request(api.url, "POST", "/api/tasks/acc-task/runs", undefined, { cookie: viewer.cookie })).status).toBe(403);
  });
});

describe("tokens and sessions", () => {
  test("a revoked token stops working at once; last_used_at is kept", async () => {
    const made = (await api.json("POST", "/api/me/tokens", { name: "short-lived" })).body;
    expect((await request(api.url, "GET", "/api/me", undefined, { authorization: `Bearer ${made.token}` })).status).toBe(200);
    const list = (await api.json("GET", "/api/me/tokens")).body;
    const listed = list.find((k: any) => k.id === made.id);
    expect(listed.last_used_at).not.toBeNull();
    expect(JSON.stringify(list)).not.toContain(made.token);
    expect((await api.call("DELETE", `/api/me/tokens/${made.id}`)).status).toBe(204);
    expect((await request(api.url, "GET", "/api/me", undefined, { authorization: `Bearer ${made.token}` })).status).toBe(401);
  });

  test("logout ends the session; the cookie is HttpOnly and SameSite=Lax", async () => {
    const login = await request(api.url, "POST", "/api/auth/login", { email: "viewer@example.com", password: "viewer password 123" });
    expect(login.status).toBe(200);
    const setCookie = login.headers.get("set-cookie")!;
    expect(setCookie).toMatch(/^lightflow_session=[\w-]{40,}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/);
    const cookie = setCookie.split(";")[0]!;
    expect((await request(api.url, "GET", "/api/me", undefined, { cookie })).status).toBe(200);
    expect((await request(api.url, "POST", "/api/auth/logout", undefined, { cookie })).status).toBe(204);
    expect((await request(api.url, "GET", "/api/me", undefined, { cookie })).status).toBe(401);
  });

  test("a new session id at every login", async () => {
    const a = await request(api.url, "POST", "/api/auth/login", { email: "viewer@example.com", password: "viewer password 123" });
    const b = await request(api.url, "POST", "/api/auth/login", { email: "viewer@example.com", password: "viewer password 123" });
    expect(a.headers.get("set-cookie")!.split(";")[0]).not.toBe(b.headers.get("set-cookie")!.split(";")[0]);
  });
});

describe("cross-site requests", () => {
  test("a cookie request that changes something from another origin is refused", async () => {
    const before = (await api.json("GET", "/api/tasks/acc-task")).body.description;
    const evil = await request(api.url, "PATCH", "/api/tasks/acc-task", { description: "pwned" }, { cookie: api.cookie, origin: "https://evil.example" });
    expect(evil.status).toBe(403);
    const fetchSite = await request(api.url, "PATCH", "/api/tasks/acc-task", { description: "pwned" }, { cookie: api.cookie, "sec-fetch-site": "cross-site" });
    expect(fetchSite.status).toBe(403);
    expect((await api.json("GET", "/api/tasks/acc-task")).body.description).toBe(before);
  });

  test("the same request from the server's own origin, or with no browser headers, is allowed", async () => {
    const own = await request(api.url, "PATCH", "/api/tasks/acc-task", { description: "own" }, { cookie: api.cookie, origin: api.url, "sec-fetch-site": "same-origin" });
    expect(own.status).toBe(200);
    const curl = await request(api.url, "PATCH", "/api/tasks/acc-task", { description: "curl" }, { cookie: api.cookie });
    expect(curl.status).toBe(200);
  });

  test("a Bearer request is not checked for its origin", async () => {
    expect((await api.call("PATCH", "/api/tasks/acc-task", { description: "b" }, { origin: "https://elsewhere.example" })).status).toBe(200);
  });
});

describe("WebSocket upgrades", () => {
  const ws = (path: string, headers: Record<string, string>) =>
    fetch(api.url + path, {
      headers: { upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version": "13", ...headers },
    });

  test("refused from a foreign Origin, even with a valid cookie", async () => {
    expect((await ws("/api/events", { cookie: api.cookie, origin: "https://evil.example" })).status).toBe(403);
    expect((await ws(`/api/runs/${runId}/steps/1/log/ws`, { cookie: api.cookie, origin: "https://evil.example" })).status).toBe(403);
  });

  test("refused without credentials", async () => {
    expect((await ws("/api/events", { origin: api.url })).status).toBe(401);
  });

  test("accepted with the cookie from the server's own origin", async () => {
    const socket = new WebSocket(`${api.url.replace("http", "ws")}/api/events`, { headers: { cookie: api.cookie, origin: api.url } } as any);
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = reject;
    });
    socket.close();
  });
});

describe("response headers", () => {
  test("every response carries the security headers, the UI's CSP allows no inline script", async () => {
    for (const path of ["/api/alive", "/api/nope", "/", "/tasks/x"]) {
      const r = await fetch(api.url + path);
      expect(r.headers.get("content-security-policy")).toContain("script-src 'self'");
      expect(r.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(r.headers.get("content-security-policy")).not.toContain("unsafe-inline");
      expect(r.headers.get("x-content-type-options")).toBe("nosniff");
      expect(r.headers.get("referrer-policy")).toBe("no-referrer");
      expect(r.headers.get("strict-transport-security")).toBeNull();
    }
  });

  test("with LIGHTFLOW_COOKIE_SECURE the cookie is Secure and HSTS is sent", async () => {
    const secure = await startApi({ env: { LIGHTFLOW_COOKIE_SECURE: "true" } });
    try {
      const login = await request(secure.url, "POST", "/api/auth/login", { email: "admin@example.com", password: "correct horse battery staple" });
      expect(login.headers.get("set-cookie")).toEndWith("; Secure");
      expect(login.headers.get("strict-transport-security")).toContain("max-age=");
    } finally {
      await secure.close();
    }
  });
});
