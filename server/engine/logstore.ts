// The step logs as the rest of Lightflow sees them: a reader (HTTP, alerts,
// and later a node reading another node's logs) and a store (the engine, which
// writes, renames and deletes them). Where the bytes live is the
// implementation's business: engine/logs.ts keeps them in files.
import type { Run, StepRun } from "./types.ts";

/** One attempt of one step: each attempt has its own log. */
export interface LogRef {
  task: string;
  runId: number;
  position: number;
  step: string;
  attempt: number;
}

export const logRef = (run: Pick<Run, "task" | "id">, step: Pick<StepRun, "position" | "name" | "attempt">, attempt = step.attempt): LogRef => ({
  task: run.task,
  runId: run.id,
  position: step.position,
  step: step.name,
  attempt,
});

/** Where a followed log goes (a WebSocket, an HTTP body). */
export interface LogSink {
  /** bytes from `offset`; false asks the feed to wait for `drained()` before the next piece */
  write(offset: number, data: Uint8Array): boolean;
  /** the attempt's log is complete; `step` as it ended, null if its run is gone */
  end(step: StepRun | null): void;
  drained(): Promise<void>;
  /**
   * The log can no longer be followed (the node that holds it went away while
   * it was followed); without it the sink gets `end(null)`.
   */
  fail?(message: string): void;
}

export interface LogWriterOptions {
  maxBytes: number;
  secrets: Iterable<string>;
  /** each piece as written, with the offset it starts at */
  onWrite?: (offset: number, data: Uint8Array) => void;
}

/** One attempt's output on its way in: masked, capped, appended. */
export interface LogWriter {
  readonly bytes: number;
  /** set when the log could not be written (disk full): the step fails with it */
  readonly writeError: string | null;
  write(chunk: Uint8Array): void;
  /** a line of Lightflow's own (start failure, kill notice), past the masker */
  note(line: string): void;
  /** flushes and closes; returns the bytes written */
  close(): number;
}

/** A log never written (a step that printed nothing) reads as empty. */
export interface LogReader {
  size(ref: LogRef): Promise<number>;
  /** bytes [start, end), which the caller took from `size` */
  read(ref: LogRef, start: number, end: number): Blob | ReadableStream<Uint8Array>;
  /** the last `bytes` bytes (fewer if the log is shorter) */
  tail(ref: LogRef, bytes: number): Promise<Uint8Array>;
  /** the last `n` lines, found within the log's last 64 KiB */
  lastLines(ref: LogRef, n: number): Promise<string[]>;
  /**
   * Sends the log from `offset`, then each new piece until the attempt ends.
   * Returns a function that stops following (the viewer left).
   */
  follow(ref: LogRef, offset: number, sink: LogSink): () => void;
  /**
   * Throws LogUnavailable if the log cannot be read now (it is on a node out of
   * reach): a WebSocket asks before its upgrade. Absent: always readable.
   */
  check?(ref: LogRef): Promise<void>;
}

/** The log is on another node that cannot be reached (http/ answers 503). */
export class LogUnavailable extends Error {}

/** The last `n` lines of the bytes at a log's end (the first line may be cut: the caller takes enough). */
export function lastLinesOf(bytes: Uint8Array, n: number): string[] {
  const text = Buffer.from(bytes).toString("utf8").replace(/\n$/, "");
  return text === "" ? [] : text.split("\n").slice(-n);
}

/** How far back `lastLines` looks. */
export const TAIL_LINES_WITHIN = 64 * 1024;

export interface LogStore extends LogReader {
  writer(ref: LogRef, o: LogWriterOptions): LogWriter;
  removeRun(task: string, runId: number): void;
  removeTask(task: string): void;
  /** logs live under their task's name; a task without logs has nothing to move */
  renameTask(from: string, to: string): void;
}
