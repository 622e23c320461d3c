// Reads the environment once into a frozen, typed object. Nothing else in the
// server reads process.env: the step environment is built from `stepEnvBase`.
import { hostname } from "node:os";
import { resolve } from "node:path";

export type SmtpSecurity = "starttls" | "tls" | "none";

export interface SmtpConfig {
  host: string;
  port: number;
  security: SmtpSecurity;
  user: string | null;
  password: string | null;
  from: string;
}

export interface Config {
  host: string;
  port: number;
  baseUrl: string;
  /** true when LIGHTFLOW_BASE_URL was not set and must follow the real port */
  baseUrlDerived: boolean;
  dataDir: string;
  /** LIGHTFLOW_DATABASE_URL: PostgreSQL instead of <data>/lightflow.db (null = SQLite) */
  databaseUrl: string | null;
  /** LIGHTFLOW_NODE_NAME: this node among those sharing the database (default: the host name) */
  nodeName: string;
  /** LIGHTFLOW_NODE_LABELS: what tasks may ask for in `runs_on` besides the name */
  nodeLabels: readonly string[];
  /** LIGHTFLOW_NODE_URL: where the other nodes reach this one (logs of its steps); null: follows the real port */
  nodeUrl: string | null;
  scriptsDir: string;
  pythonLibsDir: string;
  staticDir: string | null;
  timezone: string;
  globalConcurrency: number;
  logRetentionDays: number;
  maxLogBytes: number;
  killGraceMs: number;
  sessionTtlDays: number;
  cookieSecure: boolean;
  trustedProxy: string | null;
  adminEmail: string | null;
  smtp: SmtpConfig | null;
  gitCommit: string;
  /** a Bearer token that may read /api/metrics (besides admins), or null */
  metricsToken: string | null;
  /** the server's environment minus its own configuration and secrets */
  stepEnvBase: Readonly<Record<string, string>>;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return def;
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(`${name}: "${raw}" is not a whole number`);
  const n = Number(raw.trim());
  if (n < min || n > max) throw new ConfigError(`${name}: ${n} is out of range (${min} to ${max})`);
  return n;
}

function bool(env: Env, name: string, def: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === "") return def;
  if (["true", "1", "yes", "on"].includes(raw)) return true;
  if (["false", "0", "no", "off"].includes(raw)) return false;
  throw new ConfigError(`${name}: "${env[name]}" is not true or false`);
}

export function parseBind(raw: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]*)):(\d{1,5})$/.exec(raw.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) {
    throw new ConfigError(`LIGHTFLOW_BIND: "${raw}" is not host:port (e.g. 127.0.0.1:8080 or [::1]:8080)`);
  }
  return { host: m[1] ?? (m[2] || "0.0.0.0"), port };
}

export function isValidTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function hostForUrl(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

export function baseUrlFor(host: string, port: number): string {
  const shown = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  return `http://${hostForUrl(shown)}:${port}`;
}

function metricsToken(env: Env): string | null {
  const token = env.LIGHTFLOW_METRICS_TOKEN?.trim();
  if (!token) return null;
  if (token.length < 16) throw new ConfigError("LIGHTFLOW_METRICS_TOKEN: use at least 16 characters (e.g. openssl rand -hex 16)");
  return token;
}

function smtpConfig(env: Env): SmtpConfig | null {
  const host = env.SMTP_HOST?.trim();
  if (!host) return null;
  const security = (env.SMTP_SECURITY?.trim() || "starttls") as SmtpSecurity;
  if (!["starttls", "tls", "none"].includes(security)) {
    throw new ConfigError(`SMTP_SECURITY: "${env.SMTP_SECURITY}" must be starttls, tls or none`);
  }
  const port = int(env, "SMTP_PORT", security === "tls" ? 465 : 587, 1, 65535);
  const from = env.SMTP_FROM?.trim() || `lightflow@${host}`;
  return { host, port, security, user: env.SMTP_USER || null, password: env.SMTP_PASSWORD || null, from };
}

/**
 * What a package runner (`bun run`, `npm run`: `bun start`) put in front of
 * PATH: the node_modules/.bin of the package folder and of each folder above,
 * bun's temporary node shim (bun-node-…), npm's node-gyp-bin, and the package
 * folder itself (bun adds it when run from a subfolder). The PATH the user's
 * shell had is what follows; runner entries after it are the user's own.
 */
function isRunnerPathEntry(dir: string, packageDir: string | undefined): boolean {
  return /(^|\/)node_modules\/\.bin\/?$/.test(dir) || /(^|\/)bun-node(-[0-9a-z]+)*\/?$/.test(dir) || /\/node-gyp-bin\/?$/.test(dir) || dir === packageDir;
}

/** Variables a package runner sets for its script (npm_*, NODE, INIT_CWD): they describe this repository, not a step's world. */
const isRunnerVariable = (k: string) => k.startsWith("npm_") || k === "NODE" || k === "INIT_CWD";

/**
 * The server's own settings and secrets never reach a step, nor what a
 * package runner added when it started the server: steps see the
 * environment of the shell that ran `bun start`.
 */
function stepEnvBase(env: Env): Record<string, string> {
  const byRunner = env.npm_lifecycle_event !== undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined || k.startsWith("LIGHTFLOW_") || k.startsWith("SMTP_")) continue;
    if (byRunner && isRunnerVariable(k)) continue;
    out[k] = v;
  }
  if (byRunner && out.PATH !== undefined) {
    const dirs = out.PATH.split(":");
    let first = 0;
    while (first < dirs.length && isRunnerPathEntry(dirs[first]!, env.npm_config_local_prefix)) first++;
    out.PATH = dirs.slice(first).join(":");
  }
  return out;
}

/** A database URL fit to print: the password is never shown. */
export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(not a URL)";
  }
}

function databaseUrl(env: Env): string | null {
  const raw = env.LIGHTFLOW_DATABASE_URL?.trim();
  if (!raw) return null;
  const example = "e.g. postgres://lightflow:PASSWORD@127.0.0.1:5432/lightflow";
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError(`LIGHTFLOW_DATABASE_URL: not a URL (${example})`);
  }
  if (u.protocol !== "postgres:" && u.protocol !== "postgresql:") {
    throw new ConfigError(`LIGHTFLOW_DATABASE_URL: ${redactUrl(raw)} must start with postgres:// (${example}); without it Lightflow uses SQLite in the data directory`);
  }
  if (!u.hostname || u.pathname.length <= 1) {
    throw new ConfigError(`LIGHTFLOW_DATABASE_URL: ${redactUrl(raw)} must name a host and a database (${example})`);
  }
  return raw;
}

/** a node name or label: what `runs_on` names (schema/tasks.ts checks it the same way) */
export const NODE_WORD = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

function nodeName(env: Env): string {
  const raw = env.LIGHTFLOW_NODE_NAME?.trim() || hostname().split(".")[0] || "lightflow";
  if (!NODE_WORD.test(raw)) throw new ConfigError(`LIGHTFLOW_NODE_NAME: "${raw}" must be letters, digits, ".", "_" or "-" (at most 63, e.g. web-1)`);
  return raw;
}

function nodeLabels(env: Env, name: string): string[] {
  const labels = (env.LIGHTFLOW_NODE_LABELS ?? "").split(",").map((l) => l.trim()).filter(Boolean);
  for (const l of labels) {
    if (!NODE_WORD.test(l)) throw new ConfigError(`LIGHTFLOW_NODE_LABELS: "${l}" must be letters, digits, ".", "_" or "-" (a comma list, e.g. db,backup)`);
    if (l === name) throw new ConfigError(`LIGHTFLOW_NODE_LABELS: "${l}" is the node's own name`);
  }
  return [...new Set(labels)];
}

function nodeUrl(env: Env): string | null {
  const raw = env.LIGHTFLOW_NODE_URL?.trim();
  if (!raw) return null;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError(`LIGHTFLOW_NODE_URL: "${raw}" is not a URL (e.g. http://10.0.0.5:8080)`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new ConfigError(`LIGHTFLOW_NODE_URL: "${raw}" must start with http:// or https://`);
  return raw.replace(/\/+$/, "");
}

export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const bindRaw = env.LIGHTFLOW_BIND?.trim() || "127.0.0.1:8080";
  const { host, port } = parseBind(bindRaw);
  const baseRaw = env.LIGHTFLOW_BASE_URL?.trim();
  let baseUrl = baseUrlFor(host, port);
  if (baseRaw) {
    let u: URL;
    try {
      u = new URL(baseRaw);
    } catch {
      throw new ConfigError(`LIGHTFLOW_BASE_URL: "${baseRaw}" is not a URL`);
    }
    if (u.protocol !== "http:" && u.protocol !== "https:") {
      throw new ConfigError(`LIGHTFLOW_BASE_URL: "${baseRaw}" must start with http:// or https://`);
    }
    baseUrl = baseRaw.replace(/\/+$/, "");
  }
  const dataDir = resolve(cwd, env.LIGHTFLOW_DATA_DIR?.trim() || "./data");
  const timezone = env.LIGHTFLOW_TIMEZONE?.trim() || Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  if (!isValidTimezone(timezone)) {
    throw new ConfigError(`LIGHTFLOW_TIMEZONE: "${timezone}" is not a known IANA time zone (e.g. Europe/Berlin)`);
  }
  const adminEmail = env.LIGHTFLOW_ADMIN_EMAIL?.trim() || null;
  if (adminEmail && !/^[^\s@]+@[^\s@]+$/.test(adminEmail)) {
    throw new ConfigError(`LIGHTFLOW_ADMIN_EMAIL: "${adminEmail}" is not an e-mail address`);
  }
  const node = nodeName(env);
  return Object.freeze({
    host,
    port,
    baseUrl,
    baseUrlDerived: !baseRaw,
    dataDir,
    databaseUrl: databaseUrl(env),
    nodeName: node,
    nodeLabels: Object.freeze(nodeLabels(env, node)),
    nodeUrl: nodeUrl(env),
    scriptsDir: resolve(cwd, env.LIGHTFLOW_SCRIPTS_DIR?.trim() || `${dataDir}/scripts`),
    pythonLibsDir: resolve(cwd, env.LIGHTFLOW_PYTHON_LIBS_DIR?.trim() || `${dataDir}/python-libs`),
    staticDir: env.LIGHTFLOW_STATIC_DIR?.trim() ? resolve(cwd, env.LIGHTFLOW_STATIC_DIR.trim()) : null,
    timezone,
    globalConcurrency: int(env, "LIGHTFLOW_GLOBAL_CONCURRENCY", 4, 1, 1024),
    logRetentionDays: int(env, "LIGHTFLOW_LOG_RETENTION_DAYS", 30, 1, 36500),
    maxLogBytes: int(env, "LIGHTFLOW_MAX_LOG_MB", 64, 1, 1024 * 1024) * 1024 * 1024,
    killGraceMs: int(env, "LIGHTFLOW_KILL_GRACE_S", 10, 0, 3600) * 1000,
    sessionTtlDays: int(env, "LIGHTFLOW_SESSION_TTL_DAYS", 30, 1, 3650),
    cookieSecure: bool(env, "LIGHTFLOW_COOKIE_SECURE", false),
    trustedProxy: env.LIGHTFLOW_TRUSTED_PROXY?.trim() || null,
    adminEmail,
    smtp: smtpConfig(env),
    gitCommit: env.GIT_COMMIT?.trim() ?? "",
    metricsToken: metricsToken(env),
    stepEnvBase: Object.freeze(stepEnvBase(env)),
  });
}
