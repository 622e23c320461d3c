// Hostile input over every route: random JSON shapes, huge and unicode strings,
// path and header tricks. No 5xx, no stack trace, and a refused request changes nothing.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { request, startApi, type Api } from "../helpers/api.ts";
import { bodyOf, routes, seedRouteFixtures } from "../helpers/routes.ts";
import { pick, prng } from "../helpers/soak.ts";

const ROUNDS = pick(600, 6000);
const seed = Number(process.env.LIGHTFLOW_SEED ?? Date.now() % 100_000);
const random = prng(seed);
const pickOne = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;

let api: Api;
let runId: number;
beforeAll(async () => {
  // pip must fail fast and locally if a fuzzed requirement ever passes validation
  api = await startApi({ env: { PIP_INDEX_URL: "http://127.0.0.1:9/simple", PIP_CONFIG_FILE: "/dev/null", PIP_RETRIES: "0", PIP_TIMEOUT: "1" } });
  runId = await seedRouteFixtures(api);
});
afterAll(async () => api?.close());

const STRINGS = [
  "", " ", "a", "..", "../../etc/passwd", "%2e%2e%2f", "a/b", "a\\b", "\u0000", "x\u0000y", "ü", "日本語", "🙂", "\u202e", "<script>alert(1)</script>",
  "' OR 1=1 --", "${PATH}", "$(reboot)", "`id`", "\r\nX-Injected: 1", "0", "-1", "1e309", "NaN", "true", "null", "[]", "{}",
  "x".repeat(70_000), "é".repeat(5_000), "* * * * *", "0 0 31 2 *", "admin", "viewer", "on_success", "always",
];

function value(depth = 0): unknown {
  const kind = Math.floor(random() * (depth > 2 ? 6 : 8));
  switch (kind) {
    case 0: return pickOne(STRINGS);
    case 1: return pickOne([0, -1, 1, 1.5, 2 ** 31, 2 ** 53 + 1, -1e308, 1e308, 604_801]);
    case 2: return random() < 0.5;
    case 3: return null;
    case 4: return pickOne(STRINGS).slice(0, 64);
    case 5: return Math.floor(random() * 100);
    case 6: return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(random() * 4); i > 0; i--) o[pickOne(["name", "steps", "cron", "slots", "key", "value", "secret", "email", "role", "requirement", "__proto__", "constructor", pickOne(STRINGS).slice(0, 20)])] = value(depth + 1);
      return o;
    }
  }
}

/** A valid example body with some fields replaced, dropped or added. */
function mutate(body: unknown): unknown {
  if (random() < 0.25) return value();
  if (body === null || typeof body !== "object" || Array.isArray(body)) return random() < 0.5 ? value() : body;
  const o: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  for (const k of Object.keys(o)) {
    const r = random();
    if (r < 0.3) o[k] = value();
    else if (r < 0.4) delete o[k];
  }
  if (random() < 0.2) o[pickOne(STRINGS).slice(0, 20) || "extra"] = value();
  return o;
}

function mutatePath(path: string): string {
  if (random() < 0.6) return path;
  const parts = path.split("/");
  const i = 2 + Math.floor(random() * (parts.length - 2));
  parts[i] = pickOne([encodeURIComponent(pickOne(STRINGS).slice(0, 300)), "%00", "%2e%2e", "..%2f..%2f", "%ff%fe", "999999999999999999999", "-5", "1.5"]);
  return parts.join("/");
}

function headerTricks(): Record<string, string> {
  const h: Record<string, string> = {};
  const r = random();
  if (r < 0.15) h["content-type"] = pickOne(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=utf-16", "garbage/garbage"]);
  else if (r < 0.25) h["x-forwarded-for"] = pickOne(["1.2.3.4", "::1", "garbage", "x".repeat(4000)]);
  else if (r < 0.3) h["cookie"] = pickOne(["lightflow_session=", "lightflow_session=../../x", "a=b; lightflow_session=" + "x".repeat(3000)]);
  else if (r < 0.35) h["origin"] = pickOne(["null", "https://evil.example", "http://127.0.0.1"]);
  return h;
}

async function state(): Promise<string> {
  const parts = await Promise.all(["/api/tasks", "/api/pools", "/api/variables", "/api/users", "/api/me/tokens", "/api/scripts"].map(async (p) => (await api.call("GET", p)).text()));
  // last_used_at of the test's own token moves with every request
  return parts.join("\n").replace(/"last_used_at":"[^"]*"/g, "");
}

test(`${ROUNDS} hostile requests: no 5xx, no stack trace, no change on refusal (seed ${seed})`, async () => {
  const all = routes(runId).filter((r) => !(r.method === "DELETE" && r.path.startsWith("/api/users")));
  let before = await state();
  for (let i = 0; i < ROUNDS; i++) {
    const route = pickOne(all);
    const method = random() < 0.05 ? pickOne(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]) : route.method;
    const path = mutatePath(route.path);
    let body = route.body === undefined && random() < 0.7 ? undefined : mutate(bodyOf(route, "admin"));
    if (random() < 0.05) body = "{" + pickOne(STRINGS).slice(0, 50); // malformed JSON
    if (method === "GET") body = undefined; // fetch sends no body with GET
    const headers = { ...headerTricks(), ...(random() < 0.05 ? {} : { authorization: `Bearer ${api.token}` }) };
    let res: Response;
    try {
      res = await request(api.url, method, path, body, headers);
    } catch (e) {
      throw new Error(`request ${i} ${method} ${path} failed at the transport: ${(e as Error).message}`);
    }
    const text = await res.text();
    const where = `#${i} ${method} ${path.slice(0, 120)} ${JSON.stringify(body)?.slice(0, 200)} → ${res.status}`;
    expect([where, res.status < 500]).toEqual([where, true]);
    expect([where, /\bat \S+ \([^)]*:\d+:\d+\)|\.ts:\d+:\d+|node_modules\//.test(text)]).toEqual([where, false]);
    if (res.status >= 400 && method !== "GET") {
      const after = await state();
      expect([where, after === before]).toEqual([where, true]);
    } else if (method !== "GET") before = await state();
  }
}, 300_000);
