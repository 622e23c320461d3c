// What the main thread and the PostgreSQL worker say to each other (bridge.ts ⇄ worker.ts).
import type { MessagePort } from "node:worker_threads";
import type { SqlValue } from "../sql.ts";

/** One statement: `exec` has no parameters (BEGIN, COMMIT, a migration); `get` wants one row, `run` none. */
export interface Item {
  sql: string;
  params: SqlValue[];
  mode: "get" | "all" | "run" | "exec";
}

export interface Result {
  rows: Record<string, unknown>[];
  changes: number;
}

/** `batch`: the items in order, one reply for all (a transaction's writes in one round trip) */
export type Request = { id: number; op: "batch"; items: Item[] } | { id: number; op: "close" };

export type Reply =
  | { id: number; ok: true; results: Result[] }
  | { id: number; ok: false; unavailable: boolean; message: string; code: string | null };

/** Told by the worker without being asked: the connection was lost, or is back. */
export type Event = { event: "down"; message: string } | { event: "up" };

export interface WorkerData {
  url: string;
  /** a server (not a CLI command): the node name it holds on its connection, one live node per name (worker.ts) */
  nodeLock: string | null;
  /** a replacement for a worker given up on: says "up" once connected, and reconnects until it is */
  announce: boolean;
  /** Int32Array[0]: how many replies the worker has posted; the main thread waits on it */
  signal: SharedArrayBuffer;
  port: MessagePort;
}
