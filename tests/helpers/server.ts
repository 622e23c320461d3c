// The real server as a separate process on a loopback port with its own data directory.
import { appendFileSync, mkdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { basename, join } from "node:path";
import { tempDir } from "./engine.ts";
import { databaseFor, onPostgres } from "./pg.ts";

const ROOT = join(import.meta.dir, "..", "..");

/** A loopback port nothing listens on (for a server to take, or to find closed). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface ServerProcess {
  url: string;
  dir: string;
  proc: ReturnType<typeof Bun.spawn>;
  /** everything the server printed so far */
  output(): string;
  /** the same, each line with the time it arrived (for a failure's report) */
  timeline(): string;
  /** resolves when the server prints a line matching `re` */
  waitForLine(re: RegExp): Promise<string>;
  /** resolves with the first match of `re` (which may span lines) in what the server printed from offset `since` on */
  waitForText(re: RegExp, since?: number): Promise<RegExpMatchArray>;
  /** SIGTERM and wait for exit; returns the exit code */
  stop(): Promise<number>;
  kill9(): Promise<void>;
  cleanup(): void;
}

export interface StartOptions {
  env?: Record<string, string>;
  dir?: string;
  /** command to run instead of the source entry point (e.g. the compiled binary) */
  command?: string[];
  cwd?: string;
}

/**
 * LIGHTFLOW_TEST_LOGS=dir (.ci/run sets it): what each node printed, each line
 * with its time, is kept there as <test file>@<name>, for the report of a
 * failure (.ci/failures.ts); a test's own message rarely says what a server did.
 */
export function keepLog(name: string, text: string): void {
  const dir = process.env.LIGHTFLOW_TEST_LOGS;
  if (!dir || !text) return;
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, `${basename(Bun.main).replace(/\.test\.ts$/, "")}@${name}`), text);
}

export async function startServer(o: StartOptions = {}): Promise<ServerProcess> {
  const dir = o.dir ?? tempDir();
  // LIGHTFLOW_TEST_STORE=postgres: the data directory's own database (a restart finds it again)
  const store = onPostgres && !o.env?.LIGHTFLOW_DATABASE_URL ? { LIGHTFLOW_DATABASE_URL: await databaseFor(dir) } : {};
  const proc = Bun.spawn(o.command ?? ["bun", join(ROOT, "server", "main.ts"), "serve"], {
    cwd: o.cwd ?? ROOT,
    env: {
      PATH: process.env.PATH!,
      HOME: process.env.HOME ?? "/root",
      LIGHTFLOW_DATA_DIR: dir,
      LIGHTFLOW_BIND: "127.0.0.1:0",
      LIGHTFLOW_TIMEZONE: "UTC",
      LIGHTFLOW_KILL_GRACE_S: "1",
      ...store,
      ...o.env,
    },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let text = "";
  let stamped = "";
  /** each waiter looks at the output after every chunk and says whether it is done */
  const waiters = new Set<() => boolean>();
  const feed = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      const s = decoder.decode(chunk, { stream: true });
      text += s;
      const at = new Date().toISOString().slice(11, 23);
      const fresh = stamped === "" || stamped.endsWith("\n"); // else the chunk goes on with a line begun
      stamped += s.split(/(?<=\n)/).map((l, i) => (i > 0 || fresh ? `${at} ${l}` : l)).join("");
      for (const done of [...waiters]) if (done()) waiters.delete(done);
    }
  };
  void feed(proc.stdout as ReadableStream<Uint8Array>);
  void feed(proc.stderr as ReadableStream<Uint8Array>);
  const waitFor = <T>(find: () => T | undefined, what: RegExp) =>
    new Promise<T>((resolve, reject) => {
      const done = () => {
        const found = find();
        if (found !== undefined) resolve(found);
        return found !== undefined;
      };
      if (done()) return;
      waiters.add(done);
      void proc.exited.then((code) => reject(new Error(`server exited (${code}) before printing ${what}:\n${text}`)));
    });
  /** complete lines only: a chunk may end inside a line ("…ended succ") */
  const waitForLine = (re: RegExp) => waitFor(() => text.slice(0, text.lastIndexOf("\n") + 1).split("\n").find((l) => re.test(l)), re);
  const waitForText = (re: RegExp, since = 0) => waitFor(() => text.slice(since).match(re) ?? undefined, re);
  const listening = await waitForLine(/listening on /);
  const url = /listening on (\S+)/.exec(listening)![1]!;
  return {
    url,
    dir,
    proc,
    output: () => text,
    timeline: () => stamped,
    waitForLine,
    waitForText,
    async stop() {
      proc.kill("SIGTERM");
      return proc.exited;
    },
    async kill9() {
      proc.kill("SIGKILL");
      await proc.exited;
    },
    cleanup() {
      proc.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs the CLI to completion; returns exit code and output. */
export async function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  const dir = env.LIGHTFLOW_DATA_DIR;
  const store = onPostgres && dir && !env.LIGHTFLOW_DATABASE_URL ? { LIGHTFLOW_DATABASE_URL: await databaseFor(dir) } : {};
  const proc = Bun.spawn(["bun", join(ROOT, "server", "main.ts"), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? "/root", LIGHTFLOW_BIND: "127.0.0.1:0", ...store, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, out, err };
}

/**
 * Resolves once a node on PostgreSQL has joined its cluster: it listens to the
 * other nodes and they count it in (it says so after "listening", once its
 * recovery is done). What another node does before then it reads at its start.
 */
export function joined(server: ServerProcess): Promise<string> {
  return server.waitForLine(/lightflow: node \S+ joined:/);
}
