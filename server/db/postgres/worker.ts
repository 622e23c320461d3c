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
import type { Event, Reply, Request, WorkerData } from "./protocol.ts";

const { url, signal, port, serverLock } = workerData as WorkerData;
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
 * One server per database, for now: two would both run the queued runs and
 * call each other's running runs crashed. A server holds this session-level
 * advisory lock on its connection (PostgreSQL releases it with the connection,
 * also when the process is killed) and takes it again after a reconnect.
 */
const SERVER_LOCK = 7305186918;
export const LOCK_TAKEN = "another Lightflow server is using this database (one server per database for now)";

async function connect(): Promise<void> {
  client = new SQL(url, { max: 1, bigint: true, idleTimeout: 0, connectionTimeout: 5 });
  conn = await client.reserve();
  if (!serverLock) return;
  const [row] = await conn.unsafe("SELECT pg_try_advisory_lock($1) AS ok", [SERVER_LOCK]);
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

async function handle(req: Request): Promise<Reply> {
  if (req.op === "close") {
    conn?.release(); // a reserved connection would hold close() until it is released
    await client?.close({ timeout: 0 }).catch(() => {});
    client = null;
    conn = null;
    return { id: req.id, ok: true, rows: [], changes: 0 };
  }
  const ends = req.op === "exec" && (req.sql === "COMMIT" || req.sql === "ROLLBACK");
  if (txLost) {
    if (ends) txLost = false;
    if (ends && req.sql === "ROLLBACK") return { id: req.id, ok: true, rows: [], changes: 0 };
    return { id: req.id, ok: false, unavailable: true, message: "the connection was lost inside a transaction", code: null };
  }
  if (down !== null || conn === null) return { id: req.id, ok: false, unavailable: true, message: down ?? "not connected", code: null };
  try {
    if (req.op === "exec") {
      await conn.unsafe(req.sql);
      if (req.sql === "BEGIN") inTx = true;
      else if (ends) inTx = false;
      return { id: req.id, ok: true, rows: [], changes: 0 };
    }
    let text = translated.get(req.sql);
    if (text === undefined) translated.set(req.sql, (text = numberedPlaceholders(req.sql)));
    const result = await conn.unsafe(text, req.params);
    const rows = req.mode === "run" ? [] : plain(req.mode === "get" ? result.slice(0, 1) : result);
    return { id: req.id, ok: true, rows, changes: result.count ?? 0 };
  } catch (e) {
    if (isUnavailable(e)) {
      lost(e);
      return { id: req.id, ok: false, unavailable: true, message: (e as Error).message, code: null };
    }
    const err = e as { errno?: string; message: string };
    return { id: req.id, ok: false, unavailable: false, message: err.message, code: err.errno ?? null };
  }
}

// one at a time, in the order posted, after the first connection: a start
// that cannot connect gets its reason as the answer to its first request
let chain = connect().catch((e: unknown) => {
  down = (e as Error).message;
});
port.on("message", (req: Request) => {
  chain = chain.then(async () => reply(await handle(req)));
});
