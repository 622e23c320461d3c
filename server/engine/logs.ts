// Step logs: one plain file per step, masked and capped on the way in.
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { Masker } from "./mask.ts";

/** `<pos>-<step>.log` for the first attempt, `<pos>-<step>.<attempt>.log` for each retry. */
export function stepLogPath(logsDir: string, task: string, runId: number, position: number, step: string, attempt = 1): string {
  return join(logsDir, task, String(runId), attempt === 1 ? `${position}-${step}.log` : `${position}-${step}.${attempt}.log`);
}

export function runLogDir(logsDir: string, task: string, runId: number): string {
  return join(logsDir, task, String(runId));
}

export interface StepLogOptions {
  path: string;
  maxBytes: number;
  secrets: Iterable<string>;
  /** each piece as written, with the file offset it starts at */
  onWrite?: (offset: number, data: Uint8Array) => void;
}

/**
 * The file (and the run's folder) is made by the first byte written: a step
 * that prints nothing leaves no file, and readers take a missing log as an
 * empty one. Making them cost a third of a millisecond per step on the
 * event loop, most of it for steps with nothing to say.
 */
export class StepLog {
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
