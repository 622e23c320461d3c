// A real server with a signed-in admin: the starting point of API tests.
import { totpCode } from "../../server/auth/totp.ts";
import { startServer, type ServerProcess, type StartOptions } from "./server.ts";

export const ADMIN_EMAIL = "admin@example.com";
export const ADMIN_PASSWORD = "correct horse battery staple";

export interface Api {
  server: ServerProcess;
  url: string;
  /** the admin's API token */
  token: string;
  /** the admin's session cookie ("lightflow_session=…") */
  cookie: string;
  /** fetch as the admin with the Bearer token; JSON bodies are encoded */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  /** like call, and parses the JSON answer */
  json<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T }>;
  /** a signed-in user of the given role: returns its Bearer token and cookie */
  user(email: string, role: "admin" | "viewer"): Promise<{ token: string; cookie: string }>;
  close(): Promise<void>;
}

export function cookieOf(res: Response): string {
  const raw = res.headers.get("set-cookie") ?? "";
  return raw.split(";")[0]!;
}

export async function request(url: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] ??= "application/json";
  }
  return fetch(url + path, init);
}

/** The newest set-password link the server printed or mailed for `email`. */
export async function linkFor(server: ServerProcess, email: string, since = 0): Promise<string> {
  const re = new RegExp(`(?:link for ${email.replace(/[.]/g, "\\.")}: |To: ${email.replace(/[.]/g, "\\.")}[\\s\\S]*?)(http\\S+/set-password#token=\\S+)(?=\\s)`, "g");
  // the mail is printed after the request that causes it has been answered: wait for this address's link
  await server.waitForText(new RegExp(re.source), since);
  return [...server.output().slice(since).matchAll(re)].at(-1)![1]!;
}

export const tokenOfLink = (link: string) => new URL(link).hash.replace(/^#token=/, "");

/**
 * A user of `role` invited by the admin (`call`) through `server` at `url`,
 * signed in from the mailed link: its Bearer token and cookie.
 */
export async function inviteUser(
  server: ServerProcess,
  url: string,
  call: Api["call"],
  email: string,
  role: "admin" | "viewer",
): Promise<{ token: string; cookie: string }> {
  const mark = server.output().length;
  const r = await call("POST", "/api/users", { email, role });
  if (r.status !== 201) throw new Error(`invite: ${r.status} ${await r.text()}`);
  const link = await linkFor(server, email, mark);
  const set = await request(url, "POST", "/api/auth/set-password", { token: tokenOfLink(link), password: `${role} password 123` });
  const cookie = cookieOf(set);
  const t = await request(url, "POST", "/api/me/tokens", { name: "tests" }, { cookie });
  return { token: ((await t.json()) as { token: string }).token, cookie };
}

export async function startApi(o: StartOptions = {}): Promise<Api> {
  const server = await startServer({ ...o, env: { LIGHTFLOW_ADMIN_EMAIL: ADMIN_EMAIL, ...o.env } });
  const url = server.url;
  let res = await request(url, "POST", "/api/auth/setup-link");
  if (res.status !== 202) throw new Error(`setup-link: ${res.status} ${await res.text()}`);
  const link = await linkFor(server, ADMIN_EMAIL);
  res = await request(url, "POST", "/api/auth/set-password", { token: tokenOfLink(link), password: ADMIN_PASSWORD });
  if (res.status !== 200) throw new Error(`set-password: ${res.status} ${await res.text()}`);
  const cookie = cookieOf(res);
  res = await request(url, "POST", "/api/me/tokens", { name: "tests" }, { cookie });
  const { token } = (await res.json()) as { token: string };
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    request(url, method, path, body, { authorization: `Bearer ${token}`, ...headers });
  const api: Api = {
    server,
    url,
    token,
    cookie,
    call,
    async json(method, path, body, headers) {
      const r = await call(method, path, body, headers);
      const text = await r.text();
      return { status: r.status, body: text ? JSON.parse(text) : null };
    },
    user: (email, role) => inviteUser(server, url, call, email, role),
    async close() {
      await server.stop();
      server.cleanup();
    },
  };
  return api;
}

/** Resolves when the run reaches a finished status, waiting on the server's own log line (no polling). */
/** The run once it has finished (an event of the API, see runFinished). */
export const runEnded = (api: Api, runId: number): Promise<any> => runFinished(api, runId);

const FINISHED = ["success", "failed", "cancelled"];

/**
 * Resolves with the run (as GET /api/runs/:id answers) once it has finished,
 * told by the /api/events WebSocket: an event of the API, not a line of the
 * server's log. The socket opens before the run is read, so an end between
 * the two is not missed.
 */
export async function runFinished(api: Api, runId: number): Promise<any> {
  const socket = new WebSocket(`${api.url.replace(/^http/, "ws")}/api/events`, { headers: { authorization: `Bearer ${api.token}`, origin: api.url } } as any);
  let settle!: (err?: Error) => void;
  const ended = new Promise<void>((resolve, reject) => (settle = (err) => (err ? reject(err) : resolve())));
  ended.catch(() => {}); // awaited only while the run goes on: the socket closed after that is no failure
  socket.addEventListener("message", (m) => {
    const e = JSON.parse(String(m.data));
    if (e.type === "run" && e.run.id === runId && FINISHED.includes(e.run.status)) settle();
  });
  socket.addEventListener("close", (c) => settle(new Error(`/api/events closed (${c.code}) before run ${runId} ended`)));
  try {
    await new Promise((resolve, reject) => {
      socket.addEventListener("open", resolve);
      socket.addEventListener("error", () => reject(new Error("/api/events: the WebSocket did not open")));
    });
    const now = (await api.json("GET", `/api/runs/${runId}`)).body;
    if (FINISHED.includes(now.status)) return now;
    await ended;
    return (await api.json("GET", `/api/runs/${runId}`)).body;
  } finally {
    socket.close();
  }
}

const TOTP_STEP = 30_000;

/**
 * Sends the TOTP code of the step before the server's current one (confirming
 * an enrolment with it leaves the current and the next step for the codes that
 * follow). Server and test read the same clock, so only a step that ends while
 * the request is in flight can make the server judge it by the next step, where
 * this code is two steps old; a code refused then is sent again for the new
 * step (a refused code changes nothing but a throttle count). The current and
 * next steps' codes need no such care: they are inside the window either way.
 */
export async function sendPreviousTotpCode(secret: string, send: (code: string) => Promise<Response>): Promise<Response> {
  for (let tries = 1; ; tries++) {
    const before = Math.floor(Date.now() / TOTP_STEP);
    const r = await send(totpCode(secret, (before - 1) * TOTP_STEP));
    if (r.ok || tries === 2 || Math.floor(Date.now() / TOTP_STEP) === before) return r;
  }
}

export interface WatchedSocket {
  socket: WebSocket;
  /** every message so far, parsed */
  messages: any[];
  /** the first message (so far or to come) that matches */
  next(pred: (m: any) => boolean): Promise<any>;
  opened: Promise<unknown>;
  closed: Promise<void>;
  close(): void;
}

/** A WebSocket to the server as the admin (Bearer), keeping its JSON messages for the test to wait on. */
export function watchSocket(api: Api, path: string): WatchedSocket {
  const socket = new WebSocket(`${api.url.replace("http", "ws")}${path}`, { headers: { authorization: `Bearer ${api.token}` } } as any);
  const messages: any[] = [];
  const waiters: { pred: (m: any) => boolean; resolve: (m: any) => void }[] = [];
  socket.onmessage = (e) => {
    const m = JSON.parse(String(e.data));
    messages.push(m);
    for (const w of [...waiters]) if (w.pred(m)) waiters.splice(waiters.indexOf(w), 1), w.resolve(m);
  };
  const opened = new Promise((r) => (socket.onopen = r));
  const closed = new Promise<void>((r) => (socket.onclose = () => r()));
  return {
    socket,
    messages,
    opened,
    closed,
    close: () => socket.close(),
    next: (pred) =>
      new Promise((resolve) => {
        const m = messages.find(pred);
        if (m) return resolve(m);
        waiters.push({ pred, resolve });
      }),
  };
}
