// Step logs on a cluster. A step's log is a file on the node that ran it
// (engine/logs.ts); any node answers for any log. This store reads its own
// node's files, and asks the node that ran the run (`run.node`, at the URL in
// `nodes`) for the others, over the internal route of http/internal.ts with
// the cluster secret. Following a log elsewhere streams that node's own
// follow (cluster/logwire.ts frames) into the local viewer. A node that is
// gone (not alive, or refusing the connection) makes the read fail with
// LogUnavailable, which http/ answers with 503 naming the node.
// Removing and renaming logs is told to every node, as each holds its own.
import type { ClusterMessage, LogsMessage, NodeInfo } from "./cluster.ts";
import type { EventListener } from "../engine/events.ts";
import { lastLinesOf, LogUnavailable, TAIL_LINES_WITHIN, type LogRef, type LogSink, type LogStore, type LogWriter, type LogWriterOptions } from "../engine/logstore.ts";
import type { Run } from "../engine/types.ts";
import { NAME_PATTERN } from "../schema/limits.ts";
import { SECRET_HEADER, WireReader } from "./logwire.ts";

/** How long another node may take to start answering (a node that is alive answers at once). */
const ANSWER_MS = 10_000;

export interface NodeLogDeps {
  /** this node's own logs */
  local: LogStore;
  /** this node's name */
  me: string;
  /** the run as it is now (its `node` ran it, or runs it) */
  runOf(runId: number): Run | null;
  /** the live nodes */
  members(): readonly NodeInfo[];
  secret(): string | null;
  /** the engine's bus: runs being placed, nodes leaving */
  on(fn: EventListener): () => void;
  /** tells the other nodes */
  publish(m: ClusterMessage): void;
}

/** Queued and given to no node yet: nobody knows where its logs will be. */
const unplaced = (run: Run) => run.node === null && run.status === "queued";

const unreachable = (node: string) => new LogUnavailable(`the log of this step is on node ${node}, which is not reachable`);

export class NodeLogStore implements LogStore {
  constructor(private readonly d: NodeLogDeps) {}

  /** The node that holds the log, if not this one (a run no node took: none has a log of it). */
  private owner(ref: LogRef): string | null {
    return this.elsewhere(this.d.runOf(ref.runId)?.node ?? null);
  }

  private elsewhere(node: string | null): string | null {
    return node === null || node === this.d.me ? null : node;
  }

  /** The owner's answer for this log with `params`; throws LogUnavailable if it cannot be had. */
  private async ask(node: string, ref: LogRef, params: Record<string, string>, stop?: AbortSignal): Promise<Response> {
    const info = this.d.members().find((n) => n.name === node);
    const secret = this.d.secret();
    if (!info?.url || !secret) throw unreachable(node);
    const query = new URLSearchParams({ attempt: String(ref.attempt), ...params });
    const url = `${info.url.replace(/\/+$/, "")}/api/internal/runs/${ref.runId}/steps/${ref.position}/log?${query}`;
    // the time limit is for the answer to begin: a followed log may then flow for hours
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), ANSWER_MS);
    const onStop = () => ac.abort();
    stop?.addEventListener("abort", onStop);
    let res: Response;
    try {
      res = await fetch(url, { headers: { [SECRET_HEADER]: secret }, signal: ac.signal, redirect: "error" });
    } catch {
      stop?.removeEventListener("abort", onStop);
      throw unreachable(node);
    } finally {
      clearTimeout(timer);
    }
    if (!res.ok) {
      stop?.removeEventListener("abort", onStop);
      void res.body?.cancel();
      throw new LogUnavailable(`node ${node} would not send the log of this step (HTTP ${res.status}); see its own log`);
    }
    return res;
  }

  async check(ref: LogRef): Promise<void> {
    if (this.owner(ref) !== null) await this.size(ref);
  }

  async size(ref: LogRef): Promise<number> {
    const node = this.owner(ref);
    if (node === null) return this.d.local.size(ref);
    const res = await this.ask(node, ref, { limit: "0" });
    void res.body?.cancel();
    return Number(res.headers.get("x-log-size") ?? 0);
  }

  read(ref: LogRef, start: number, end: number): Blob | ReadableStream<Uint8Array> {
    const node = this.owner(ref);
    if (node === null) return this.d.local.read(ref, start, end);
    // asked for on the first read: a body nobody reads costs the owner nothing
    let body: ReadableStreamDefaultReader<Uint8Array> | null = null;
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        try {
          body ??= (await this.ask(node, ref, { offset: String(start), limit: String(end - start) })).body!.getReader();
          const { done, value } = await body.read();
          if (done) controller.close();
          else controller.enqueue(value);
        } catch (e) {
          controller.error(e instanceof LogUnavailable ? e : unreachable(node));
        }
      },
      cancel: () => void body?.cancel(),
    });
  }

  async tail(ref: LogRef, bytes: number): Promise<Uint8Array> {
    const node = this.owner(ref);
    if (node === null) return this.d.local.tail(ref, bytes);
    const res = await this.ask(node, ref, { tail: String(bytes) });
    try {
      return new Uint8Array(await res.arrayBuffer());
    } catch {
      throw unreachable(node);
    }
  }

  async lastLines(ref: LogRef, n: number): Promise<string[]> {
    if (this.owner(ref) === null) return this.d.local.lastLines(ref, n);
    return lastLinesOf(await this.tail(ref, TAIL_LINES_WITHIN), n);
  }

  follow(ref: LogRef, offset: number, sink: LogSink): () => void {
    const run = this.d.runOf(ref.runId);
    if (run && unplaced(run)) return this.followOncePlaced(ref, offset, sink);
    return this.followOn(this.elsewhere(run?.node ?? null), ref, offset, sink);
  }

  /** A viewer of a run still queued: its log is followed where the leader places it (or here, if it ends unplaced). */
  private followOncePlaced(ref: LogRef, offset: number, sink: LogSink): () => void {
    let stop: (() => void) | null = null;
    let left = false;
    const begin = (run: Run | null) => {
      off();
      if (!left && !stop) stop = this.followOn(this.elsewhere(run?.node ?? null), ref, offset, sink);
    };
    const off = this.d.on((e) => {
      if (e.type === "run" && e.run.id === ref.runId && !unplaced(e.run)) begin(e.run);
    });
    // placed between the first read and the subscription: no event comes, the store knows
    const now = this.d.runOf(ref.runId);
    if (!now || !unplaced(now)) begin(now);
    return () => {
      left = true;
      off();
      stop?.();
    };
  }

  private followOn(node: string | null, ref: LogRef, offset: number, sink: LogSink): () => void {
    if (node === null) return this.d.local.follow(ref, offset, sink);
    const ac = new AbortController();
    const fail = (message: string) => {
      if (ac.signal.aborted) return; // the viewer left: nobody to tell
      ac.abort();
      if (sink.fail) sink.fail(message);
      else sink.end(null);
    };
    // a node cut off may leave the connection open without a word: its lease ending says it is gone
    const offNodes = this.d.on((e) => {
      if (e.type === "nodes" && !this.d.members().some((n) => n.name === node)) fail(unreachable(node).message);
    });
    ac.signal.addEventListener("abort", offNodes);
    void (async () => {
      try {
        const res = await this.ask(node, ref, { offset: String(offset), follow: "1" }, ac.signal);
        let at = Number(res.headers.get("x-log-start") ?? offset);
        const frames = new WireReader();
        for await (const piece of res.body as unknown as AsyncIterable<Uint8Array>) {
          for (const f of frames.push(piece)) {
            if (ac.signal.aborted) return;
            if ("end" in f) {
              ac.abort();
              return sink.end(f.end);
            }
            if (f.data.length === 0) continue; // the owner's "here I am"
            const more = sink.write(at, f.data);
            at += f.data.length;
            if (!more) await sink.drained();
          }
        }
        // the owner closed without an end: it stopped while the step ran
        fail(unreachable(node).message);
      } catch (e) {
        fail(e instanceof LogUnavailable ? e.message : unreachable(node).message);
      }
    })();
    return () => ac.abort();
  }

  /** Steps run here write here. */
  writer(ref: LogRef, o: LogWriterOptions): LogWriter {
    return this.d.local.writer(ref, o);
  }

  // Removing and renaming: here, and on every other node (heard by applyLogsMessage), each for the logs it holds.
  removeRun(task: string, runId: number): void {
    this.d.local.removeRun(task, runId);
    this.d.publish({ kind: "logs", op: "removeRun", task, run: runId });
  }

  removeTask(task: string): void {
    this.d.local.removeTask(task);
    this.d.publish({ kind: "logs", op: "removeTask", task });
  }

  renameTask(from: string, to: string): void {
    this.d.local.renameTask(from, to);
    this.d.publish({ kind: "logs", op: "renameTask", from, to });
  }
}

const taskName = new RegExp(NAME_PATTERN);

/** What another node did to the logs, done to this node's own. Names that are not task names are ignored: they become paths. */
export function applyLogsMessage(local: LogStore, m: LogsMessage): void {
  if (m.op === "removeRun" && taskName.test(m.task) && Number.isSafeInteger(m.run) && m.run > 0) local.removeRun(m.task, m.run);
  else if (m.op === "removeTask" && taskName.test(m.task)) local.removeTask(m.task);
  else if (m.op === "renameTask" && taskName.test(m.from) && taskName.test(m.to)) local.renameTask(m.from, m.to);
}
