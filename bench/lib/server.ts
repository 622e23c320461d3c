// The compiled server (dist/lightflow) as a child process on 127.0.0.1, with
// its output read line by line so benchmarks can wait on the server's own log
// ("run N of T ended ...") instead of polling.
import { join } from "node:path";

export const ROOT = join(import.meta.dir, "..", "..");
export const BINARY = join(ROOT, "dist", "lightflow");

export interface Server {
  url: string;
  pid: number;
  dir: string;
  token: string;
  lines(): readonly string[];
  /** calls fn for every line printed from now on; returns a function that unsubscribes */
  onLine(fn: (line: string) => void): () => void;
  /** the first line from now on (or already printed, when `past`) matching re */
  waitLine(re: RegExp, timeoutMs: number, past?: boolean): Promise<string>;
  /** fetch with the admin's token */
  call(method: string, path: string, body?: unknown): Promise<Response>;
  /** SIGTERM, SIGKILL after 5 s; resolves when the process is gone */
  stop(): Promise<void>;
}

export interface StartOptions {
  dir: string;
  token: string;
  env?: Record<string, string>;
  /** a fixed port (start-up timing) instead of 0 */
  port?: number;
  /** resolve at once after spawn, without waiting for "listening on" */
  noWait?: boolean;
}

export function baseEnv(dir: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/root",
    LIGHTFLOW_DATA_DIR: dir,
    LIGHTFLOW_TIMEZONE: "UTC",
    LIGHTFLOW_KILL_GRACE_S: "1",
  };
}

/** A free loopback port, found by letting the kernel pick one. */
export function freePort(): number {
  const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = s.port!;
  s.stop(true);
  return port;
}

export async function startServer(o: StartOptions): Promise<Server> {
  const proc = adopt(Bun.spawn([BINARY, "serve"], {
    cwd: o.dir,
    env: { ...baseEnv(o.dir), LIGHTFLOW_BIND: `127.0.0.1:${o.port ?? 0}`, ...o.env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  }));
  const all: string[] = [];
  const listeners = new Set<(line: string) => void>();
  const feed = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    let rest = "";
    for await (const chunk of stream) {
      const parts = (rest + decoder.decode(chunk, { stream: true })).split("\n");
      rest = parts.pop()!;
      for (const line of parts) {
        all.push(line);
        for (const fn of [...listeners]) fn(line);
      }
    }
  };
  void feed(proc.stdout);
  void feed(proc.stderr);
  let exited = false;
  void proc.exited.then(() => (exited = true));

  const onLine = (fn: (line: string) => void) => {
    listeners.add(fn);
    return () => void listeners.delete(fn);
  };
  const waitLine = (re: RegExp, timeoutMs: number, past = false) =>
    new Promise<string>((resolve, reject) => {
      if (past) {
        const found = all.find((l) => re.test(l));
        if (found !== undefined) return resolve(found);
      }
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no line matching ${re} within ${timeoutMs} ms${exited ? " (the server exited)" : ""}:\n${all.slice(-20).join("\n")}`));
      }, timeoutMs);
      const off = onLine((line) => {
        if (!re.test(line)) return;
        clearTimeout(timer);
        off();
        resolve(line);
      });
    });

  let url = o.port ? `http://127.0.0.1:${o.port}` : "";
  if (!o.noWait) {
    try {
      const line = await waitLine(/listening on /, 30_000, true);
      url = /listening on (\S+)/.exec(line)![1]!;
    } catch (e) {
      proc.kill("SIGKILL");
      throw e;
    }
  }
  const server: Server = {
    get url() {
      return url;
    },
    pid: proc.pid,
    dir: o.dir,
    token: o.token,
    lines: () => all,
    onLine,
    waitLine,
    call(method, path, body) {
      const headers: Record<string, string> = { authorization: `Bearer ${o.token}` };
      if (body !== undefined) headers["content-type"] = "application/json";
      return fetch(url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    },
    async stop() {
      if (exited) return;
      proc.kill("SIGTERM");
      const killer = setTimeout(() => proc.kill("SIGKILL"), 5000);
      await proc.exited;
      clearTimeout(killer);
    },
  };
  return server;
}

/** Every child process a benchmark starts, so the runner's finally can end what a failure left. */
const children = new Set<{ kill(sig?: number | NodeJS.Signals): void; exited: Promise<number> }>();

export function adopt<T extends { kill(sig?: number | NodeJS.Signals): void; exited: Promise<number> }>(p: T): T {
  children.add(p);
  void p.exited.then(() => children.delete(p));
  return p;
}

export async function killAll(): Promise<void> {
  const left = [...children];
  for (const p of left) p.kill("SIGKILL");
  await Promise.all(left.map((p) => p.exited));
}
