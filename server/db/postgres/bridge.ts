// The main thread's side of the PostgreSQL worker: a request is posted and the
// thread blocks (Atomics.wait) until the worker's reply counter moves, then
// takes the reply with receiveMessageOnPort. On loopback that is about
// 0.15 ms a statement; the stores stay synchronous, so no engine path awaits
// between a check and its write (server/README.md, "Stores").
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import { StoreUnavailable } from "../../engine/stores.ts";
import type { Event, Item, Reply, Request, Result, WorkerData } from "./protocol.ts";

/** A statement PostgreSQL refused (not a lost connection): a bug, or a constraint. */
export class PostgresError extends Error {
  constructor(message: string, readonly code: string | null) {
    super(message);
  }
}

/**
 * The worker's module. In the single executable it is an entry point of its
 * own (server/build/compile.ts), stored under its path from the repository
 * root, and import.meta.url names the executable, not this file.
 */
const WORKER = import.meta.url.includes("/$bunfs/") ? "./server/db/postgres/worker.ts" : new URL("./worker.ts", import.meta.url);

export class Bridge {
  private worker!: Worker;
  private port!: MessagePort;
  private posted!: Int32Array;
  private nextId = 1;
  private closed = false;

  /** `onEvent` hears "down" and "up" as they happen (on the event loop) */
  constructor(
    private readonly url: string,
    private readonly nodeLock: string | null,
    private readonly timeoutMs: number,
    private readonly onEvent: (e: Event) => void,
  ) {
    this.start(false);
  }

  /** `announce`: a replacement, which says "up" once connected (and reconnects until it is) */
  private start(announce: boolean): void {
    const signal = new SharedArrayBuffer(4);
    this.posted = new Int32Array(signal);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const data: WorkerData = { url: this.url, nodeLock: this.nodeLock, announce, signal, port: port2 };
    this.worker = new Worker(WORKER, { workerData: data, transferList: [port2] });
    this.worker.on("message", this.onEvent);
    this.worker.unref();
  }

  /**
   * No answer in time (a network cut, a statement stuck): the connection is
   * given up like a lost one. The worker goes with its socket, so PostgreSQL
   * rolls back what it had not committed, and a new one reconnects; a request
   * never stays in flight behind a caller that was told it failed.
   */
  private restart(message: string): void {
    this.onEvent({ event: "down", message });
    void this.worker.terminate();
    this.start(true);
  }

  /** the items in order, in one round trip; throws at the first that fails */
  batch(items: Item[]): Result[] {
    return this.call({ id: 0, op: "batch", items }).results;
  }

  close(): void {
    if (this.closed) return;
    try {
      this.call({ id: 0, op: "close" });
    } catch {
      // closing anyway
    }
    this.closed = true;
    void this.worker.terminate();
  }

  private call(req: Request): Extract<Reply, { ok: true }> {
    if (this.closed) throw new StoreUnavailable("the database connection is closed");
    const id = (req.id = this.nextId++);
    let seen = Atomics.load(this.posted, 0);
    this.port.postMessage(req);
    const deadline = performance.now() + this.timeoutMs;
    for (;;) {
      const m = receiveMessageOnPort(this.port);
      if (m) {
        const reply = m.message as Reply;
        if (reply.id !== id) continue; // the late answer to a request that timed out
        if (reply.ok) return reply;
        if (reply.unavailable) throw new StoreUnavailable(reply.message);
        throw new PostgresError(reply.message, reply.code);
      }
      const left = deadline - performance.now();
      if (left <= 0) {
        const message = `no answer from the database in ${Math.round(this.timeoutMs / 1000)} s`;
        this.restart(message);
        throw new StoreUnavailable(message);
      }
      // woken by the counter; the bound only covers a reply counted before it is receivable
      Atomics.wait(this.posted, 0, seen, Math.min(left, 20));
      seen = Atomics.load(this.posted, 0);
    }
  }
}
