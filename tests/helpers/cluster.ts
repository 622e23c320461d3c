// Several Lightflow nodes on one PostgreSQL (issue 17), all on loopback. Each
// node has its own name, labels, port and data directory, and reaches
// PostgreSQL through its own small TCP proxy, so a test can cut one node off
// the database and heal it. A node restarted (after kill -9 or a stop) keeps
// its name, port, URL, directory and proxy.
import { SQL } from "bun";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { ADMIN_EMAIL, ADMIN_PASSWORD, cookieOf, inviteUser, linkFor, request, tokenOfLink, type Api } from "./api.ts";
import { freshDatabase, pgCluster } from "./pg.ts";
import { freePort, joined, keepLog, startServer, type ServerProcess } from "./server.ts";
import { tempDir } from "./tmp.ts";

// ---------------------------------------------------------------- waiting

/**
 * Re-checks `check` every `everyMs` until it gives something other than
 * undefined/false (which it returns), or throws after `timeoutMs` saying what
 * was awaited and the last value or error seen. An error thrown by `check`
 * (a node that is down refuses the connection) counts as "not yet".
 */
export async function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await Bun.sleep(everyMs);
  }
}

/**
 * `p`, or an error saying what did not happen within `ms`. Every wait in these
 * tests is bounded below the test's own timeout: a test that times out has
 * bun kill every process it started, which would take the cluster down for
 * the tests after it.
 */
export function within<T>(what: string, p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------- the proxy

export interface PgProxy {
  port: number;
  /** Destroys every proxied connection; new ones are closed as soon as they open, until heal(). */
  cut(): void;
  /** The connections that LISTEN go on open but carry nothing more, either way (a firewall that forgot them); the others, and new ones, work. */
  silenceListeners(): void;
  heal(): void;
  readonly isCut: boolean;
  close(): void;
}

/** What a socket still has to write: Bun's write is unbuffered and may take part of a chunk. */
interface Pipe {
  peer: Bun.Socket<Pipe> | null;
  /** bytes for the peer that arrived before it connected */
  early: Uint8Array[];
  backlog: Uint8Array[];
  /** the client sent LISTEN on this connection */
  listens?: boolean;
  /** bytes are swallowed, both ways */
  silent?: boolean;
}

function send(to: Bun.Socket<Pipe>, bytes: Uint8Array): void {
  if (to.data.backlog.length) {
    to.data.backlog.push(bytes.slice());
    return;
  }
  const n = to.write(bytes);
  if (n < bytes.length) to.data.backlog.push(bytes.slice(Math.max(n, 0)));
}

function drain(s: Bun.Socket<Pipe>): void {
  const q = s.data.backlog;
  while (q.length) {
    const n = s.write(q[0]!);
    if (n < q[0]!.length) {
      q[0] = q[0]!.slice(Math.max(n, 0));
      return;
    }
    q.shift();
  }
}

/** A TCP proxy on 127.0.0.1 to `targetPort` on 127.0.0.1 (Bun.listen + Bun.connect). */
export function pgProxy(targetPort: number): PgProxy {
  const open = new Set<Bun.Socket<Pipe>>();
  let cut = false;
  const closeBoth = (s: Bun.Socket<Pipe>) => {
    open.delete(s);
    const peer = s.data.peer;
    if (peer && open.has(peer)) {
      open.delete(peer);
      peer.end();
    }
  };
  const upstreamHandlers: Bun.SocketHandler<Pipe> = {
    open(up) {
      const client = up.data.peer!;
      if (cut || !open.has(client)) return void up.terminate();
      open.add(up);
      client.data.peer = up;
      for (const b of client.data.early.splice(0)) send(up, b);
    },
    data(up, chunk) {
      if (up.data.peer && !up.data.peer.data.silent) send(up.data.peer, chunk);
    },
    drain,
    close: closeBoth,
    error: closeBoth,
    connectError(up) {
      up.data.peer?.terminate();
    },
  };
  const listener = Bun.listen<Pipe>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(client) {
        client.data = { peer: null, early: [], backlog: [] };
        if (cut) return void client.terminate();
        open.add(client);
        Bun.connect<Pipe>({ hostname: "127.0.0.1", port: targetPort, data: { peer: client, early: [], backlog: [] }, socket: upstreamHandlers }).catch(() => client.terminate());
      },
      data(client, chunk) {
        if (!client.data.listens && Buffer.from(chunk).toString("latin1").includes("LISTEN")) client.data.listens = true;
        if (client.data.silent) return;
        const up = client.data.peer;
        if (up) send(up, chunk);
        else client.data.early.push(chunk.slice());
      },
      drain,
      close: closeBoth,
      error: closeBoth,
    },
  });
  return {
    port: listener.port,
    cut() {
      cut = true;
      for (const s of [...open]) s.terminate();
      open.clear();
    },
    heal() {
      cut = false;
    },
    silenceListeners() {
      for (const s of open) if (s.data.listens) s.data.silent = true;
    },
    get isCut() {
      return cut;
    },
    close() {
      this.cut();
      listener.stop(true);
    },
  };
}

// ---------------------------------------------------------------- nodes

export interface NodeInfo {
  name: string;
  labels: string[];
  url: string | null;
  started_at: string;
  last_seen_at: string;
  leader: boolean;
  running: number;
  alive: boolean;
}

export interface ClusterNode extends Api {
  name: string;
  labels: string[];
  port: number;
  dir: string;
  proxy: PgProxy;
  /** the node's environment (its own database URL through its proxy) */
  env: Record<string, string>;
  /** starts it again on the same name, port, directory and proxy */
  start(): Promise<void>;
  kill9(): Promise<void>;
  /** SIGTERM; the exit code */
  stop(): Promise<number>;
  /** GET /api/nodes as this node answers it */
  nodes(): Promise<NodeInfo[]>;
}

export interface NodeSpec {
  name: string;
  /** LIGHTFLOW_NODE_LABELS, e.g. "db,backup" */
  labels?: string;
  env?: Record<string, string>;
}

export interface LfCluster {
  /** the database every node uses (direct, not through a proxy) */
  databaseUrl: string;
  nodes: ClusterNode[];
  node(name: string): ClusterNode;
  /** the node every live node's /api/nodes names as the one leader */
  leader(timeoutMs?: number): Promise<ClusterNode>;
  close(): Promise<void>;
}

/** The URL with another port (the node's proxy). */
const viaPort = (url: string, port: number) => {
  const u = new URL(url);
  u.port = String(port);
  return u.toString();
};

/**
 * Starts one node per spec on one fresh database: the first alone (it creates
 * the schema and the admin, who signs in through it), then the others
 * together. Every node gets the admin's token and cookie: accounts live in the
 * database, so one sign-in serves all.
 */
export async function startCluster(specs: NodeSpec[], common: Record<string, string> = {}): Promise<LfCluster> {
  const pg = await pgCluster();
  const databaseUrl = await freshDatabase();
  const auth = { token: "", cookie: "" };
  const nodes: ClusterNode[] = [];
  for (const spec of specs) nodes.push(await makeNode(spec, databaseUrl, pg.port, auth, common));
  const first = nodes[0]!;
  try {
    await first.start();
    Object.assign(auth, await signIn(first.server));
    await Promise.all(nodes.slice(1).map((n) => n.start()));
  } catch (e) {
    await closeAll(nodes, databaseUrl);
    throw e;
  }
  return {
    databaseUrl,
    nodes,
    node(name) {
      const n = nodes.find((x) => x.name === name);
      if (!n) throw new Error(`no node ${name}`);
      return n;
    },
    async leader(timeoutMs = 30_000) {
      const name = await until(
        "one leader that every live node agrees on",
        async () => {
          const views: string[][] = [];
          for (const n of nodes) {
            if (n.server.proc.exitCode !== null || n.server.proc.signalCode || n.proxy.isCut) continue;
            views.push((await n.nodes()).filter((x) => x.leader && x.alive).map((x) => x.name));
          }
          const names = new Set(views.flat());
          return views.length > 0 && views.every((v) => v.length === 1) && names.size === 1 ? [...names][0]! : undefined;
        },
        timeoutMs,
      );
      return nodes.find((n) => n.name === name)!;
    },
    close: () => closeAll(nodes, databaseUrl),
  };
}

async function closeAll(nodes: ClusterNode[], databaseUrl: string): Promise<void> {
  for (const n of nodes) n.proxy.heal(); // a node stopping writes its ends; let it
  await Promise.all(nodes.map((n) => n.close()));
  for (const n of nodes) n.proxy.close();
  const name = new URL(databaseUrl).pathname.slice(1);
  const admin = new SQL(databaseUrl.replace(/\/[^/]*$/, "/postgres"), { max: 1 });
  try {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.close();
  }
}

/** The first admin: setup link, password, a session cookie and an API token (as startApi does). */
async function signIn(server: ServerProcess): Promise<{ token: string; cookie: string }> {
  let res = await request(server.url, "POST", "/api/auth/setup-link");
  if (res.status !== 202) throw new Error(`setup-link: ${res.status} ${await res.text()}`);
  const link = await linkFor(server, ADMIN_EMAIL);
  res = await request(server.url, "POST", "/api/auth/set-password", { token: tokenOfLink(link), password: ADMIN_PASSWORD });
  if (res.status !== 200) throw new Error(`set-password: ${res.status} ${await res.text()}`);
  const cookie = cookieOf(res);
  res = await request(server.url, "POST", "/api/me/tokens", { name: "tests" }, { cookie });
  if (res.status !== 201) throw new Error(`token: ${res.status} ${await res.text()}`);
  return { token: ((await res.json()) as { token: string }).token, cookie };
}

async function makeNode(spec: NodeSpec, databaseUrl: string, pgPort: number, auth: { token: string; cookie: string }, common: Record<string, string>): Promise<ClusterNode> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dir = tempDir(`lightflow-node-${spec.name}-`);
  const proxy = pgProxy(pgPort);
  const env: Record<string, string> = {
    LIGHTFLOW_DATABASE_URL: viaPort(databaseUrl, proxy.port),
    LIGHTFLOW_NODE_NAME: spec.name,
    LIGHTFLOW_NODE_LABELS: spec.labels ?? "",
    LIGHTFLOW_BIND: `127.0.0.1:${port}`,
    LIGHTFLOW_NODE_URL: url,
    LIGHTFLOW_ADMIN_EMAIL: ADMIN_EMAIL,
    ...common,
    ...spec.env,
  };
  let server: ServerProcess | null = null;
  /** what the node printed before it was started again (kill -9 and restart) */
  let earlier = "";
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    request(url, method, path, body, { authorization: `Bearer ${auth.token}`, ...headers });
  const json = async (method: string, path: string, body?: unknown, headers?: Record<string, string>) => {
    const r = await call(method, path, body, headers);
    const text = await r.text();
    let parsed: any = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text; // a proxy's or a dying node's non-JSON answer: keep it for the failure message
    }
    return { status: r.status, body: parsed };
  };
  const node: ClusterNode = {
    name: spec.name,
    labels: (spec.labels ?? "").split(",").filter(Boolean),
    port,
    dir,
    proxy,
    env,
    url,
    get server() {
      if (!server) throw new Error(`node ${spec.name} was never started`);
      return server;
    },
    get token() {
      return auth.token;
    },
    get cookie() {
      return auth.cookie;
    },
    call,
    json,
    async start() {
      if (server) earlier += `${server.timeline()}--- (${spec.name} started again)\n`;
      server = await startServer({ dir, env });
      if (server.url !== url) throw new Error(`node ${spec.name} listens on ${server.url}, not ${url}`);
      await joined(server);
    },
    async kill9() {
      await server?.kill9();
    },
    async stop() {
      return (await server?.stop()) ?? 0;
    },
    async nodes() {
      const r = await json("GET", "/api/nodes");
      if (r.status !== 200) throw new Error(`GET /api/nodes on ${spec.name}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body as NodeInfo[];
    },
    user: (email, role) => inviteUser(node.server, url, call, email, role),
    async close() {
      if (server && server.proc.exitCode === null && !server.proc.signalCode) await server.stop();
      keepLog(`${spec.name}.log`, earlier + (server?.timeline() ?? ""));
      server?.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return node;
}

/**
 * Runs `lightflow serve` with this environment and expects it to exit (a
 * refused start); after `timeoutMs` it is killed and reported as code null
 * with what it printed, so a start that wrongly succeeds fails the test
 * instead of hanging it.
 */
export async function serveExpectingExit(env: Record<string, string>, timeoutMs = 20_000): Promise<{ code: number | null; out: string; err: string }> {
  const proc = Bun.spawn(["bun", `${import.meta.dir}/../../server/main.ts`, "serve"], {
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? "/root", LIGHTFLOW_BIND: "127.0.0.1:0", LIGHTFLOW_TIMEZONE: "UTC", ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.kill("SIGKILL");
  }, timeoutMs);
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  return { code: timedOut ? null : code, out, err };
}

/** pids of the step processes (the shell and its children) of run `runId` started by the node on `dataDir`. */
export function stepProcesses(dataDir: string, runId: number): number[] {
  const out: number[] = [];
  for (const p of readdirSync("/proc").filter((x) => /^\d+$/.test(x))) {
    try {
      const env = readFileSync(`/proc/${p}/environ`, "latin1").split("\0");
      if (env.includes(`LIGHTFLOW_RUN_ID=${runId}`) && env.includes(`LIGHTFLOW_DATA_DIR=${dataDir}`)) out.push(Number(p));
    } catch {}
  }
  return out;
}

export const FINISHED = ["success", "failed", "cancelled"];
