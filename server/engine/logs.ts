// Step logs in files: `<data>/logs/<task>/<run>/<pos>-<step>.log`, one per
// step attempt, masked and capped on the way in. This module is the only one
// that knows the layout; everything else goes through a LogStore.
import { closeSync, mkdirSync, openSync, readSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import { LogFeeds, type LiveSteps } from "./logfeed.ts";
import { lastLinesOf, TAIL_LINES_WITHIN, type LogRef, type LogSink, type LogStore, type LogWriter, type LogWriterOptions } from "./logstore.ts";
import { Masker } from "./mask.ts";

const PIECE = 64 * 1024;

/** `<pos>-<step>.log` for the first attempt, `<pos>-<step>.<attempt>.log` for each retry. */
export function stepLogPath(logsDir: string, task: string, runId: number, position: number, step: string, attempt = 1): string {
  return join(logsDir, task, String(runId), attempt === 1 ? `${position}-${step}.log` : `${position}-${step}.${attempt}.log`);
}

export function runLogDir(logsDir: string, task: string, runId: number): string {
  return join(logsDir, task, String(runId));
}

export interface StepLogOptions extends LogWriterOptions {
  path: string;
}

/**
 * The file (and the run's folder) is made by the first byte written: a step
 * that prints nothing leaves no file, and readers take a missing log as an
 * empty one. Making them cost a third of a millisecond per step on the
 * event loop, most of it for steps with nothing to say.
 */
export class StepLog implements LogWriter {
  /** -1 until the first write opens the file; -2 once closed */
  private fd = -1;
  private readonly masker: Masker;
  private written = 0;
  private capped = false;
  /** set when the file could not be written (disk full): the step fails with it */
  writeError: string | null = null;

  constructor(private readonly o: StepLogOptions) {
    this.masker = new Masker(o.secrets);
  }

  get bytes(): number {
    return this.written;
  }

  /** Output from the step: masked, capped, appended. Past the cap it is drained and dropped. */
  write(chunk: Uint8Array): void {
    if (this.capped || this.writeError) return;
    this.append(this.masker.push(chunk));
  }

  /** A line of Lightflow's own (start failure, kill notice), written past the masker. */
  note(line: string): void {
    this.append(Buffer.concat([this.masker.flush(), Buffer.from(`[lightflow] ${line}\n`)]));
  }

  close(): number {
    if (!this.capped && !this.writeError) this.append(this.masker.flush());
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -2;
    return this.written;
  }

  private append(data: Uint8Array): void {
    if (data.length === 0 || this.capped || this.writeError || this.fd === -2) return;
    const room = this.o.maxBytes - this.written;
    if (data.length > room) {
      this.raw(data.subarray(0, room));
      this.capped = true;
      const mb = Math.round(this.o.maxBytes / 1048576);
      this.raw(Buffer.from(`\n[lightflow] log reached its cap of ${mb} MB (LIGHTFLOW_MAX_LOG_MB); further output was discarded\n`));
      return;
    }
    this.raw(data);
  }

  private raw(data: Uint8Array): void {
    if (data.length === 0) return;
    try {
      if (this.fd === -1) {
        mkdirSync(join(this.o.path, ".."), { recursive: true, mode: 0o700 });
        this.fd = openSync(this.o.path, "a", 0o600);
      }
      let done = 0;
      while (done < data.length) done += writeSync(this.fd, data, done, data.length - done);
    } catch (e) {
      this.writeError = `cannot write the step log: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
      return;
    }
    const offset = this.written;
    this.written += data.length;
    this.o.onWrite?.(offset, data);
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Reads [from, to) of a file in pieces, waiting for the sink to drain when it asks. */
async function sendRange(path: string, from: number, to: number, sink: LogSink): Promise<number> {
  if (from >= to) return from;
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return from;
  }
  try {
    let pos = from;
    while (pos < to) {
      const buf = Buffer.allocUnsafe(Math.min(PIECE, to - pos));
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n <= 0) break;
      const more = sink.write(pos, buf.subarray(0, n));
      pos += n;
      if (!more) await sink.drained();
    }
    return pos;
  } finally {
    closeSync(fd);
  }
}

/** The last `bytes` bytes of a file (empty if there is none). */
function tailOf(path: string, bytes: number): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return new Uint8Array(0);
  }
  try {
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, Math.max(0, Bun.file(path).size - bytes));
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/**
 * The logs under `<dataDir>/logs`. Reads are answered from the files at once
 * (the promises are for a store elsewhere). Following needs the engine's live
 * steps; a store made without them (to read or write only) cannot follow.
 */
export class FileLogStore implements LogStore {
  readonly dir: string;
  private readonly feeds: LogFeeds | null;

  constructor(dataDir: string, live?: LiveSteps) {
    this.dir = join(dataDir, "logs");
    this.feeds = live ? new LogFeeds(live, { size: (ref) => fileSize(this.path(ref)), send: (ref, from, to, sink) => sendRange(this.path(ref), from, to, sink) }) : null;
  }

  path(ref: LogRef): string {
    return stepLogPath(this.dir, ref.task, ref.runId, ref.position, ref.step, ref.attempt);
  }

  runDir(task: string, runId: number): string {
    return runLogDir(this.dir, task, runId);
  }

  /** How many shared watchers exist (one per followed step, whatever the number of viewers). */
  get watcherCount(): number {
    return this.feeds?.watcherCount ?? 0;
  }

  async size(ref: LogRef): Promise<number> {
    return fileSize(this.path(ref));
  }

  read(ref: LogRef, start: number, end: number): Blob {
    return Bun.file(this.path(ref)).slice(start, end);
  }

  async tail(ref: LogRef, bytes: number): Promise<Uint8Array> {
    return tailOf(this.path(ref), bytes);
  }

  async lastLines(ref: LogRef, n: number): Promise<string[]> {
    return lastLinesOf(tailOf(this.path(ref), TAIL_LINES_WITHIN), n);
  }

  follow(ref: LogRef, offset: number, sink: LogSink): () => void {
    if (!this.feeds) throw new Error("FileLogStore: made without the engine's live steps, it cannot follow a log");
    return this.feeds.follow(ref, offset, sink);
  }

  writer(ref: LogRef, o: LogWriterOptions): StepLog {
    return new StepLog({ ...o, path: this.path(ref) });
  }

  removeRun(task: string, runId: number): void {
    rmSync(this.runDir(task, runId), { recursive: true, force: true });
  }

  removeTask(task: string): void {
    rmSync(join(this.dir, task), { recursive: true, force: true });
  }

  renameTask(from: string, to: string): void {
    try {
      renameSync(join(this.dir, from), join(this.dir, to));
    } catch {
      // no logs yet
    }
  }
}
