// What every client command shares: its options (server URL, token, --json),
// the one HTTP helper, and the exit codes. A client command talks to a server
// over the API only; it never opens the database or reads the server's config.
import { readFileSync } from "node:fs";

/** 0 done / run succeeded, 1 run failed or the server said no, 2 usage, 3 server unreachable or token refused */
export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3 } as const;

/**
 * An ending that the command cannot go past: thrown to unwind from deep in a
 * stream or socket handler, caught once in `clientCommand`, which prints its
 * one line. Not a bug, so never a stack trace.
 */
export class ClientExit extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly usage?: string,
  ) {
    super(message);
  }
}

export const usageError = (usage: string, reason: string) => new ClientExit(EXIT.usage, reason, usage);

export interface Step {
  position: number;
  name: string;
  status: string;
  exit_code: number | null;
  log_bytes: number;
}
export interface Run {
  id: number;
  task: string;
  status: string;
  trigger: string;
  queued_at: string | null;
  started_at: string | null;
  ended_at: string | null;
  steps: Step[];
}
export const FINISHED: ReadonlySet<string> = new Set(["success", "failed", "cancelled"]);

export interface Client {
  url: string;
  json: boolean;
  /** JSON from the API (a body is sent as JSON, or as it is when a TextBody); a non-2xx answer becomes a ClientExit with the server's sentence */
  call<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** the raw answer of a 2xx request (a log, a follow=1 stream) */
  raw(path: string): Promise<Response>;
  /** a WebSocket on `path`, open, with the token */
  socket(path: string): Promise<WebSocket>;
}

/** A body sent as it is, with its content type (a crontab as text/plain); any other body goes as JSON. */
export class TextBody {
  constructor(
    readonly data: string,
    readonly type: string,
  ) {}
}

/** What is left of argv once the client's own options are taken out. */
export interface Parsed {
  client: Client;
  args: string[];
  flags: Set<string>;
  /** values of repeatable options that take one (-p) */
  values: Map<string, string[]>;
}

interface Spec {
  usage: string;
  /** flags this command takes, without a value (--wait, -f) */
  flags?: string[];
  /** options this command takes with a value (-p) */
  valued?: string[];
}

/**
 * Reads argv for one command. The environment is read here, once, because the
 * client's settings (LIGHTFLOW_URL, LIGHTFLOW_TOKEN) are not the server's:
 * server/config.ts would refuse nothing of them and they mean nothing to it.
 */
export function parse(argv: string[], spec: Spec, env: Record<string, string | undefined> = process.env): Parsed {
  let url = env.LIGHTFLOW_URL?.trim() || "http://127.0.0.1:8080";
  let tokenFile: string | null = null;
  let json = false;
  const args: string[] = [];
  const flags = new Set<string>();
  const values = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.startsWith("--") ? a.indexOf("=") : -1;
    const name = eq > 0 ? a.slice(0, eq) : a;
    const value = () => {
      if (eq > 0) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw usageError(spec.usage, `${name} needs a value`);
      return v;
    };
    if (name === "--url") url = value();
    else if (name === "--token-file") tokenFile = value();
    else if (name === "--json") json = true;
    else if (name === "--token") throw usageError(spec.usage, "--token is not taken, so the token stays out of ps: set LIGHTFLOW_TOKEN or use --token-file PATH");
    else if (spec.valued?.includes(name)) values.set(name, [...(values.get(name) ?? []), value()]);
    else if (spec.flags?.includes(name) && eq < 0) flags.add(name);
    else if (a.startsWith("-") && a !== "-") throw usageError(spec.usage, `unknown option ${a}`);
    else args.push(a);
  }
  let base: URL;
  try {
    base = new URL(url);
    if (!/^https?:$/.test(base.protocol)) throw new Error();
  } catch {
    throw usageError(spec.usage, `the server URL "${url}" is not an http:// or https:// address`);
  }
  const token = tokenFile !== null ? readToken(tokenFile, spec.usage) : env.LIGHTFLOW_TOKEN?.trim();
  if (!token) throw usageError(spec.usage, "no API token: set LIGHTFLOW_TOKEN or use --token-file PATH");
  return { client: makeClient(base.href.replace(/\/+$/, ""), token, json), args, flags, values };
}

function readToken(path: string, usage: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw usageError(usage, `--token-file ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const token = text.split("\n")[0]!.trim();
  if (!token) throw usageError(usage, `--token-file ${path}: its first line is empty`);
  return token;
}

function makeClient(url: string, token: string, json: boolean): Client {
  const unreachable = (e: unknown) => {
    const { code, message } = e as NodeJS.ErrnoException;
    // Bun's refusal message goes on to ask "Is the computer able to access the url?": the code says it in two words
    const why = code === "ECONNREFUSED" || code === "ConnectionRefused" ? "connection refused" : message || String(e);
    return new ClientExit(EXIT.unreachable, `cannot reach the server at ${url} (${why})`);
  };
  const send = async (method: string, path: string, body?: unknown): Promise<Response> => {
    let res: Response;
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: "application/json" };
    if (body !== undefined) headers["content-type"] = body instanceof TextBody ? body.type : "application/json";
    try {
      const sent = body instanceof TextBody ? body.data : body === undefined ? undefined : JSON.stringify(body);
      res = await fetch(url + path, { method, headers, body: sent });
    } catch (e) {
      throw unreachable(e);
    }
    if (res.ok) return res;
    const text = await res.text();
    let sentence = `HTTP ${res.status}`;
    try {
      sentence = (JSON.parse(text) as { error?: string }).error ?? sentence;
    } catch {
      // not the API answering (a proxy's error page): the status says enough
    }
    if (res.status === 401 || res.status === 403) throw new ClientExit(EXIT.unreachable, `the server refused the token (${sentence})`);
    if (res.status >= 500 || (res.status === 404 && !text.startsWith("{"))) throw new ClientExit(EXIT.unreachable, `cannot reach the server at ${url} (${sentence})`);
    throw new ClientExit(EXIT.failed, sentence);
  };
  return {
    url,
    json,
    async call<T>(method: string, path: string, body?: unknown) {
      return (await (await send(method, path, body)).json()) as T;
    },
    raw: (path) => send("GET", path),
    socket(path) {
      // no Origin header: the server refuses only an Origin that is not its own
      const ws = new WebSocket(url.replace(/^http/, "ws") + path, { headers: { authorization: `Bearer ${token}` } } as unknown as string[]);
      return new Promise((resolve, reject) => {
        ws.addEventListener("open", () => resolve(ws));
        ws.addEventListener("error", () => reject(unreachable(new Error(`the WebSocket ${path} did not open`))));
      });
    },
  };
}

/** Runs one command: prints a ClientExit as its one line (plus the usage line for a usage error) and returns its code. */
export async function clientCommand(usage: string, argv: string[], spec: Omit<Spec, "usage">, body: (p: Parsed) => Promise<number>): Promise<number> {
  try {
    return await body(parse(argv, { ...spec, usage }));
  } catch (e) {
    if (!(e instanceof ClientExit)) throw e;
    console.error(`lightflow: ${e.message}${e.usage ? `\n${e.usage}` : ""}`);
    return e.code;
  }
}

/** A path segment from a person's argument (a task name, a run id). */
export const seg = (s: string) => encodeURIComponent(s);

export function runId(arg: string | undefined, usage: string): number {
  if (!arg || !/^\d+$/.test(arg)) throw usageError(usage, arg ? `"${arg}" is not a run id` : "which run? give its id");
  return Number(arg);
}

/** Writes to stdout in order, and lets the caller wait until it has been taken. */
export function out(text: string): Promise<void> {
  return new Promise((resolve) => (process.stdout.write(text) ? resolve() : process.stdout.once("drain", () => resolve())));
}

export const printJson = (v: unknown) => out(JSON.stringify(v, null, 2) + "\n");

/** `2026-11-23 02:00:00` (UTC, as the server stores it) or `-`. */
export const time = (iso: string | null | undefined) => (iso ? iso.replace("T", " ").slice(0, 19) : "-");

/** Columns padded to their widest cell; the last one is not padded. */
export function table(head: string[], rows: string[][]): string {
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((r) => [...(r[i] ?? "")].length)));
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + (c.length - [...c].length)))).join("  ").trimEnd()).join("\n") + "\n";
}
