// The PostgreSQL connection, in a worker thread: Bun's SQL client is
// asynchronous, the stores are synchronous (../sql.ts). The main thread posts
// one request and blocks until the reply (bridge.ts); this worker runs them in
// order on ONE reserved connection, so a transaction's statements share it.
//
// A lost connection is found by the statement that fails on it: that request
// and every one after it get "unavailable" at once (the caller answers 503)
// while the worker reconnects with back-off and says "up" when it is back.
import { SQL, type ReservedSQL } from "bun";
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { numberedPlaceholders } from "./dialect.ts";
import type { Event, Item, Reply, Request, Result, WorkerData } from "./protocol.ts";

const { url, signal, port, nodeLock, announce } = workerData as WorkerData;
const posted = new Int32Array(signal);
let client: SQL | null = null;
let conn: ReservedSQL | null = null;
let down: string | null = null;
let retryMs = 250;
/** a BEGIN ran on the current connection and has not ended */
let inTx = false;
/**
 * The connection of an open transaction was lost: PostgreSQL rolled it back,
 * and its remaining statements must not run on a new connection, outside any
 * transaction. They are refused until the caller's ROLLBACK (or COMMIT) ends it.
 */
let txLost = false;
const translated = new Map<string, string>();

function tell(e: Event): void {
  parentPort!.postMessage(e);
}

function reply(r: Reply): void {
  port.postMessage(r);
  Atomics.add(posted, 0, 1);
  Atomics.notify(posted, 0);
}

/** Connection-level failures (as opposed to an error in the statement): the server is gone, restarting or unreachable. */
export function isUnavailable(e: unknown): boolean {
  const err = e as { code?: string; errno?: string };
  if (typeof err.code === "string" && /^ERR_POSTGRES_(CONNECTION|SOCKET|TLS|IDLE|LIFETIME)/.test(err.code)) return true;
  // 08: connection exception; 57P01-57P03: admin shutdown, crash shutdown, cannot connect now
  return typeof err.errno === "string" && (/^08/.test(err.errno) || /^57P0[1-3]$/.test(err.errno));
}

/**
 * One live node per name: two nodes of one name would each take the other's
 * runs for their own. A node holds this session-level advisory lock on its
 * connection (PostgreSQL releases it with the connection, also when the
 * process is killed) and takes it again after a reconnect.
 */
const NODE_LOCKS = 7305;
export const lockTaken = (name: string) =>
  `LIGHTFLOW_NODE_NAME: a node named "${name}" is already running on this database (give each node its own name)`;
const LOCK_TAKEN = nodeLock ? lockTaken(nodeLock) : "";

async function connect(): Promise<void> {
  client = new SQL(url, { max: 1, bigint: true, idleTimeout: 0, connectionTimeout: 5 });
  conn = await client.reserve();
  // a stuck statement ends with an error before the main thread gives up waiting (bridge.ts, 25 s)
  await conn.unsafe("SET statement_timeout = '20s'").simple();
  // a node cut off without a word (no RST) leaves this session behind, holding its name: PostgreSQL
  // drops it within about 25 s instead of the system's two hours, so the node can come back
  await conn.unsafe("SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3").simple();
  if (!nodeLock) return;
  const [row] = await conn.unsafe("SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok", [NODE_LOCKS, nodeLock]);
  if (row?.ok !== true) {
    conn.release();
    void client.close({ timeout: 0 }).catch(() => {});
    throw new Error(LOCK_TAKEN);
  }
}

function lost(e: unknown): void {
  const message = (e as Error).message;
  if (inTx) txLost = true;
  inTx = false;
  if (down === null) tell({ event: "down", message });
  down = message;
  conn = null;
  const old = client;
  client = null;
  void old?.close().catch(() => {});
  setTimeout(reconnect, retryMs);
}

async function reconnect(): Promise<void> {
  try {
    await connect();
    down = null;
    retryMs = 250;
    tell({ event: "up" });
  } catch (e) {
    if ((e as Error).message === LOCK_TAKEN && down !== LOCK_TAKEN) tell({ event: "down", message: LOCK_TAKEN });
    down = (e as Error).message;
    conn = null;
    void client?.close().catch(() => {});
    client = null;
    retryMs = Math.min(retryMs * 2, 4000);
    setTimeout(reconnect, retryMs);
  }
}

/** bigint columns (ids, times, counts) as numbers: every value Lightflow keeps fits in 2^53 */
function plain(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const row of rows) {
    const o: Record<string, unknown> = {};
    for (const k in row) {
      const v = row[k];
      o[k] = typeof v === "bigint" ? Number(v) : v;
    }
    out.push(o);
  }
  return out;
}

class Failure {
  constructor(readonly unavailable: boolean, readonly message: string, readonly code: string | null = null) {}
}

/** One statement on the connection; throws a Failure. */
async function one(item: Item): Promise<Result> {
  const ends = item.mode === "exec" && (item.sql === "COMMIT" || item.sql === "ROLLBACK");
  if (txLost) {
    if (ends) txLost = false;
    if (ends && item.sql === "ROLLBACK") return { rows: [], changes: 0 };
    throw new Failure(true, "the connection was lost inside a transaction");
  }
  if (down !== null || conn === null) throw new Failure(true, down ?? "not connected");
  try {
    if (item.mode === "exec") {
      await conn.unsafe(item.sql).simple();
      if (item.sql === "BEGIN") inTx = true;
      else if (ends) inTx = false;
      return { rows: [], changes: 0 };
    }
    let text = translated.get(item.sql);
    if (text === undefined) translated.set(item.sql, (text = numberedPlaceholders(item.sql)));
    const result = await conn.unsafe(text, item.params);
    const rows = item.mode === "run" ? [] : plain(item.mode === "get" ? result.slice(0, 1) : result);
    return { rows, changes: result.count ?? 0 };
  } catch (e) {
    if (isUnavailable(e)) {
      lost(e);
      throw new Failure(true, (e as Error).message);
    }
    const err = e as { errno?: string; message: string };
    throw new Failure(false, err.message, err.errno ?? null);
  }
}

async function handle(req: Request): Promise<Reply> {
  if (req.op === "close") {
    conn?.release(); // a reserved connection would hold close() until it is released
    await client?.close({ timeout: 0 }).catch(() => {});
    client = null;
    conn = null;
    return { id: req.id, ok: true, results: [] };
  }
  const results: Result[] = [];
  try {
    for (const item of req.items) results.push(await one(item));
    return { id: req.id, ok: true, results };
  } catch (e) {
    if (!(e instanceof Failure)) throw e;
    return { id: req.id, ok: false, unavailable: e.unavailable, message: e.message, code: e.code };
  }
}

// one at a time, in the order posted, after the first connection: a start
// that cannot connect gets its reason as the answer to its first request
let chain = connect().then(
  () => announce && tell({ event: "up" }),
  (e: unknown) => {
    down = (e as Error).message;
    if (announce) setTimeout(reconnect, retryMs);
  },
);
port.on("message", (req: Request) => {
  chain = chain.then(async () => reply(await handle(req)));
});
