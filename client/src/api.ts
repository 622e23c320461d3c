// The only place that calls fetch. `send` returns the typed body or throws an
// ApiError; the brief asks for throwing (unlike solid-realworld's errors as
// data) so a page's try/catch shows the one sentence the server wrote.
import type * as T from "./types.ts";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
    /** the whole error body, for extras such as `totp_required` */
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Fired on any 401 outside /auth, so the app can go back to the login page. */
export const apiEvents = new EventTarget();

type As = "json" | "text" | "bytes";
type Body = unknown;

/** The raw answer of a successful request; throws an ApiError for any other. */
export async function request(method: string, path: string, body?: Body): Promise<Response> {
  const init: RequestInit = { method, credentials: "same-origin", headers: {} };
  if (typeof body === "string") {
    init.body = body;
    (init.headers as Record<string, string>)["content-type"] = "text/plain; charset=utf-8";
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] = "application/json";
  }
  let res: Response;
  try {
    res = await fetch("/api" + path, init);
  } catch {
    throw new ApiError(0, "Cannot reach the server. Check your connection and try again.");
  }
  if (!res.ok) throw await toError(res, path);
  return res;
}

export async function send<R>(method: string, path: string, body?: Body, as: As = "json"): Promise<R> {
  const res = await request(method, path, body);
  if (res.status === 204) return undefined as R;
  if (as === "text") return (await res.text()) as R;
  if (as === "bytes") return new Uint8Array(await res.arrayBuffer()) as R;
  // Some answers (202 from setup-link, 200 from set-password) may have no body.
  const text = await res.text();
  const type = res.headers.get("content-type") ?? "";
  return (text && type.includes("json") ? JSON.parse(text) : undefined) as R;
}

/** A piece of a step log: its bytes, where they start in the file, and the file's size then. */
export interface LogPiece {
  bytes: Uint8Array;
  start: number;
  size: number;
}

async function logPiece(path: string): Promise<LogPiece> {
  const res = await request("GET", path);
  const bytes = new Uint8Array(await res.arrayBuffer());
  const start = Number(res.headers.get("x-log-start") ?? 0);
  const size = Number(res.headers.get("x-log-size") ?? start + bytes.length);
  return { bytes, start, size };
}

async function toError(res: Response, path: string): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    body = (await res.json()) as Record<string, unknown>;
  } catch {
    // not JSON (a proxy's error page): fall back to the status below
  }
  let message = typeof body.error === "string" ? body.error : `The server answered ${res.status} ${res.statusText}.`;
  const wait = res.headers.get("retry-after");
  if (res.status === 429 && wait && !message.includes(wait)) message += ` Try again in ${wait} s.`;
  if (res.status === 401 && !path.startsWith("/auth/")) apiEvents.dispatchEvent(new Event("unauthorized"));
  return new ApiError(res.status, message, typeof body.field === "string" ? body.field : undefined, body);
}

const seg = encodeURIComponent;
const scriptPath = (p: string) => p.split("/").map(seg).join("/");
const page = (limit: number, before?: number) => `?limit=${limit}` + (before ? `&before=${before}` : "");
const filterQuery = (f: T.RunFilter = {}) =>
  (f.status?.length ? `&status=${f.status.join(",")}` : "") + (f.from ? `&from=${seg(f.from)}` : "") + (f.to ? `&to=${seg(f.to)}` : "");
/** Which attempt of a retried step; none: the server's latest. */
const attemptQuery = (attempt?: number) => (attempt ? `&attempt=${attempt}` : "");

// Grouped by resource, as solid-realworld's agent does.
export const api = {
  about: () => send<T.About>("GET", "/about"),
  auth: {
    state: () => send<T.AuthState>("GET", "/auth/state"),
    setupLink: () => send<void>("POST", "/auth/setup-link"),
    login: (b: T.LoginBody) => send<T.LoginOut>("POST", "/auth/login", b),
    logout: () => send<void>("POST", "/auth/logout"),
    forgot: (email: string) => send<void>("POST", "/auth/forgot", { email }),
    /** Sets the password and signs in (the answer carries the session cookie), unless the user has a second factor (`totp_required`): a code signs in next. */
    setPassword: (token: string, password: string) => send<T.SetPasswordOut>("POST", "/auth/set-password", { token, password }),
  },
  me: {
    get: () => send<T.Me>("GET", "/me"),
    patch: (b: T.MePatch) => send<T.Me>("PATCH", "/me", b),
    password: (current: string, password: string) => send<void>("POST", "/me/password", { current, password }),
    /** needs the password (or a code of the factor being replaced): a session alone cannot set a factor */
    totpStart: (proof: { password: string } | { code: string }) => send<T.TotpEnrolment>("POST", "/me/totp", proof),
    totpConfirm: (code: string) => send<void>("POST", "/me/totp/confirm", { code }),
    totpDisable: (code: string) => send<void>("DELETE", "/me/totp", { code }),
    tokens: () => send<T.ApiToken[]>("GET", "/me/tokens"),
    createToken: (name: string) => send<T.NewApiToken>("POST", "/me/tokens", { name }),
    revokeToken: (id: number) => send<void>("DELETE", `/me/tokens/${id}`),
  },
  users: {
    list: () => send<T.User[]>("GET", "/users"),
    invite: (email: string, role: T.Role) => send<T.User>("POST", "/users", { email, role }),
    patch: (id: number, b: T.UserPatch) => send<T.User>("PATCH", `/users/${id}`, b),
    resetTotp: (id: number) => send<void>("DELETE", `/users/${id}/totp`),
    remove: (id: number) => send<void>("DELETE", `/users/${id}`),
  },
  tasks: {
    list: () => send<T.Task[]>("GET", "/tasks"),
    get: (name: string) => send<T.Task>("GET", `/tasks/${seg(name)}`),
    create: (t: T.TaskInput) => send<T.Task>("POST", "/tasks", t),
    update: (name: string, t: T.TaskInput) => send<T.Task>("PUT", `/tasks/${seg(name)}`, t),
    patch: (name: string, p: T.TaskPatch) => send<T.Task>("PATCH", `/tasks/${seg(name)}`, p),
    remove: (name: string) => send<void>("DELETE", `/tasks/${seg(name)}`),
    duplicate: (name: string, to: string) => send<T.Task>("POST", `/tasks/${seg(name)}/duplicate`, { name: to }),
    /** `params`: the run's parameter values (the task's defaults fill the rest) */
    trigger: (name: string, params?: Record<string, string>) => send<T.Run>("POST", `/tasks/${seg(name)}/runs`, params ? { params } : undefined),
    runs: (name: string, limit = 25, before?: number, filter?: T.RunFilter) =>
      send<T.Run[]>("GET", `/tasks/${seg(name)}/runs${page(limit, before)}${filterQuery(filter)}`),
  },
  runs: {
    get: (id: number) => send<T.Run>("GET", `/runs/${id}`),
    cancel: (id: number) => send<T.Run>("POST", `/runs/${id}/cancel`),
    /** a new run from the first step of this one that did not succeed */
    retry: (id: number) => send<T.Run>("POST", `/runs/${id}/retry`),
    /** Bytes [offset, offset+limit) of a step log (X-Log-Start / X-Log-Size tell where and how big). */
    logRange: (id: number, pos: number, offset: number, limit: number, attempt?: number) =>
      logPiece(`/runs/${id}/steps/${pos}/log?offset=${offset}&limit=${limit}${attemptQuery(attempt)}`),
    /** The last `tail` bytes of a step log, at most `limit` of them. */
    logTail: (id: number, pos: number, tail: number, limit = tail, attempt?: number) =>
      logPiece(`/runs/${id}/steps/${pos}/log?tail=${tail}&limit=${limit}${attemptQuery(attempt)}`),
  },
  /** the nodes sharing the database (on SQLite: this one) */
  nodes: () => send<T.ClusterNode[]>("GET", "/nodes"),
  grid: (runs: number) => send<T.Grid>("GET", `/grid?runs=${runs}`),
  /** `timezone`: read the expression in this zone (a task's own); by default the server's */
  cronPreview: (expr: string, count = 5, timezone?: string | null) =>
    send<T.CronPreview>("GET", `/cron/preview?expr=${seg(expr)}&count=${count}${timezone ? `&timezone=${seg(timezone)}` : ""}`),
  pools: {
    list: () => send<T.Pool[]>("GET", "/pools"),
    create: (name: string, slots: number) => send<T.Pool>("POST", "/pools", { name, slots }),
    update: (name: string, slots: number) => send<T.Pool>("PUT", `/pools/${seg(name)}`, { slots }),
    remove: (name: string) => send<void>("DELETE", `/pools/${seg(name)}`),
  },
  variables: {
    list: () => send<T.Variable[]>("GET", "/variables"),
    create: (v: T.VariableInput) => send<T.Variable>("POST", "/variables", v),
    update: (key: string, b: T.VariableUpdate) => send<T.Variable>("PUT", `/variables/${seg(key)}`, b),
    remove: (key: string) => send<void>("DELETE", `/variables/${seg(key)}`),
  },
  scripts: {
    list: () => send<T.ScriptFile[]>("GET", "/scripts"),
    read: (path: string) => send<string>("GET", `/scripts/${scriptPath(path)}`, undefined, "text"),
    write: (path: string, content: string) => send<T.ScriptSaved>("PUT", `/scripts/${scriptPath(path)}`, content),
    remove: (path: string) => send<void>("DELETE", `/scripts/${scriptPath(path)}`),
    rename: (from: string, to: string) => send<T.ScriptRenamed>("POST", "/scripts/rename", { from, to }),
  },
  packages: {
    list: () => send<T.Package[]>("GET", "/packages"),
    install: (requirement: string) => send<T.PackageJob>("POST", "/packages", { requirement }),
    uninstall: (name: string) => send<T.PackageJob>("DELETE", `/packages/${seg(name)}`),
    jobs: () => send<T.PackageJobSummary[]>("GET", "/packages/jobs"),
    job: (id: string) => send<T.PackageJobState>("GET", `/packages/jobs/${seg(id)}`),
  },
  audit: (limit: number, before?: number) => send<T.AuditEntry[]>("GET", `/audit${page(limit, before)}`),
  settings: {
    get: () => send<T.Settings>("GET", "/settings"),
    put: (b: Partial<T.Settings>) => send<T.Settings>("PUT", "/settings", b),
  },
  /** POST /api/import: what the setup file changes (`dryRun`), or changes it. */
  importSetup: (file: unknown, dryRun: boolean) => send<T.ImportResult>("POST", `/import${dryRun ? "?dry_run=1" : ""}`, file),
  /** a crontab as text/plain; `system`: with a user column (/etc/crontab, /etc/cron.d) */
  importCrontab: (text: string, o: { system: boolean; prefix: string; dryRun: boolean }) => {
    const q = new URLSearchParams({ dry_run: o.dryRun ? "1" : "0", system: o.system ? "1" : "0", ...(o.prefix ? { prefix: o.prefix } : {}) });
    return send<T.CrontabImport>("POST", `/import/crontab?${q}`, text);
  },
};

/** Downloads (plain links: the browser saves them, with the session cookie). */
export const downloads = {
  /** the tasks-as-code file */
  export: "/api/export",
  /** a consistent copy of the database, or a tar with the scripts and logs too */
  backup: (logs: boolean) => (logs ? "/api/backup?logs=1" : "/api/backup"),
  /** Prometheus scrapes this (an admin's session, or Bearer LIGHTFLOW_METRICS_TOKEN) */
  metrics: "/api/metrics",
};

/** Where a step's whole log can be downloaded as plain text. */
export const logUrl = (run: number, pos: number, attempt?: number) => `/api/runs/${run}/steps/${pos}/log` + (attempt ? `?attempt=${attempt}` : "");

/** ws:// or wss:// URL of an /api WebSocket on this origin. */
export const wsUrl = (path: string) => `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api${path}`;
