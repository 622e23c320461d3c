// Following a step log: what was written already comes from the file by
// offset, what is written next comes from the engine's bus. All viewers of one
// step share one bus subscription (one "watcher"), so a hundred viewers cost
// one listener; each viewer only keeps its own position.
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Engine } from "../engine/index.ts";
import { stepLogPath } from "../engine/logs.ts";
import type { Run, StepRun } from "../engine/types.ts";

const PIECE = 64 * 1024;
const LIVE: ReadonlySet<string> = new Set(["pending", "running"]);

export interface LogSink {
  /** bytes from `offset`; false asks the feed to wait for `drained()` before the next piece */
  write(offset: number, data: Uint8Array): boolean;
  end(step: StepRun): void;
  drained(): Promise<void>;
}

export function logPathOf(engine: Engine, run: Run, step: StepRun, attempt = step.attempt): string {
  return stepLogPath(join(engine.config.dataDir, "logs"), run.task, run.id, step.position, step.name, attempt);
}

export function fileSize(path: string): number {
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

type Piece = { offset: number; data: Uint8Array; attempt: number } | { end: StepRun; attempt: number };
type Viewer = (p: Piece) => void;

/** One step's shared watcher: one bus subscription, any number of viewers. */
class StepWatch {
  readonly viewers = new Set<Viewer>();
  private readonly off: () => void;

  constructor(
    engine: Engine,
    runId: number,
    position: number,
    private readonly onEmpty: () => void,
  ) {
    this.off = engine.bus.onLog(runId, position, {
      chunk: (c) => this.viewers.forEach((v) => v(c)),
      end: (step, attempt) => this.viewers.forEach((v) => v({ end: step, attempt })),
    });
  }

  leave(v: Viewer): void {
    this.viewers.delete(v);
    if (this.viewers.size === 0) {
      this.off();
      this.onEmpty();
    }
  }
}

export class LogFeeds {
  private readonly watches = new Map<string, StepWatch>();

  constructor(private readonly engine: Engine) {}

  /** How many shared watchers exist (one per followed step, whatever the number of viewers). */
  get watcherCount(): number {
    return this.watches.size;
  }

  private currentStep(runId: number, position: number): { run: Run; step: StepRun } | null {
    const run = this.engine.liveRun(runId) ?? this.engine.runs.get(runId);
    const step = run?.steps[position - 1];
    return run && step ? { run, step } : null;
  }

  /**
   * Sends one attempt's log (the step's current one by default) from `offset`,
   * then every new piece until that attempt ends. Returns a function that
   * stops following (the viewer left).
   */
  follow(run: Run, step: StepRun, offset: number, sink: LogSink, attempt = step.attempt): () => void {
    const path = logPathOf(this.engine, run, step, attempt);
    let stopped = false;
    let sent = offset; // the next byte this viewer needs
    let catchingUp = true;
    const held: Piece[] = [];

    const deliver = (c: { offset: number; data: Uint8Array }) => {
      const end = c.offset + c.data.length;
      if (end <= sent) return; // already sent from the file
      const data = c.offset < sent ? c.data.subarray(sent - c.offset) : c.data;
      sink.write(sent, data);
      sent = end;
    };
    const finish = async (final: StepRun) => {
      if (stopped) return;
      sent = await sendRange(path, sent, fileSize(path), sink); // anything written after the last live piece
      stop();
      sink.end(final);
    };
    const viewer: Viewer = (c) => {
      if (stopped || c.attempt !== attempt) return; // another attempt's log
      if (catchingUp) held.push(c);
      else if ("end" in c) void finish(c.end);
      else deliver(c);
    };

    const key = `${run.id}/${step.position}`;
    let watch = this.watches.get(key);
    if (!watch) {
      watch = new StepWatch(this.engine, run.id, step.position, () => this.watches.delete(key));
      this.watches.set(key, watch);
    }
    watch.viewers.add(viewer);
    const w = watch;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      w.leave(viewer);
    };

    void (async () => {
      // subscribed first, then read: nothing written in between is lost
      sent = await sendRange(path, sent, fileSize(path), sink);
      if (stopped) return;
      catchingUp = false;
      for (const c of held.splice(0)) {
        if ("end" in c) return void finish(c.end);
        deliver(c);
      }
      const now = this.currentStep(run.id, step.position);
      // this attempt is over when the step is, when a later attempt began, or while the step waits to retry
      const over = !now || !LIVE.has(now.step.status) || now.step.attempt > attempt || (now.step.attempt === attempt && now.step.retry_at != null);
      if (over) await finish(now?.step ?? step);
    })();
    return stop;
  }
}
