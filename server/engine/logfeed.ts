// Following a step log: what was written already comes from the store by
// offset, what is written next comes from the engine's bus. All viewers of one
// step share one bus subscription (one "watcher"), so a hundred viewers cost
// one listener; each viewer only keeps its own position.
import type { EventBus } from "./events.ts";
import type { LogRef, LogSink } from "./logstore.ts";
import type { Run, StepRun } from "./types.ts";

const LIVE: ReadonlySet<string> = new Set(["pending", "running"]);

/** What a feed needs of the engine: its bus, and a step as it is now. */
export interface LiveSteps {
  bus: EventBus;
  /** the step live or as stored; null when its run is gone */
  stepOf(runId: number, position: number): StepRun | null;
}

/** The engine as a feed sees it (a structural type: the engine imports this module). */
export function liveSteps(engine: { bus: EventBus; getRun(runId: number): Run | null }): LiveSteps {
  return { bus: engine.bus, stepOf: (runId, position) => engine.getRun(runId)?.steps[position - 1] ?? null };
}

/** What is written already, read synchronously: a feed must not miss what is written while it reads. */
export interface WrittenLog {
  size(ref: LogRef): number;
  /** sends [from, to) in pieces, waiting for the sink to drain when it asks; returns where it stopped */
  send(ref: LogRef, from: number, to: number, sink: LogSink): Promise<number>;
}

type Piece = { offset: number; data: Uint8Array; attempt: number } | { end: StepRun; attempt: number };
type Viewer = (p: Piece) => void;

/** One step's shared watcher: one bus subscription, any number of viewers. */
class StepWatch {
  readonly viewers = new Set<Viewer>();
  private readonly off: () => void;

  constructor(
    bus: EventBus,
    runId: number,
    position: number,
    private readonly onEmpty: () => void,
  ) {
    this.off = bus.onLog(runId, position, {
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

  constructor(
    private readonly live: LiveSteps,
    private readonly written: WrittenLog,
  ) {}

  /** How many shared watchers exist (one per followed step, whatever the number of viewers). */
  get watcherCount(): number {
    return this.watches.size;
  }

  follow(ref: LogRef, offset: number, sink: LogSink): () => void {
    const { written } = this;
    const { runId, position, attempt } = ref;
    let stopped = false;
    let sent = offset; // the next byte this viewer needs
    let catchingUp = true;
    const held: Piece[] = [];

    const deliver = (c: { offset: number; data: Uint8Array }) => {
      const end = c.offset + c.data.length;
      if (end <= sent) return; // already sent from the store
      const data = c.offset < sent ? c.data.subarray(sent - c.offset) : c.data;
      sink.write(sent, data);
      sent = end;
    };
    const finish = async (final: StepRun | null) => {
      if (stopped) return;
      sent = await written.send(ref, sent, written.size(ref), sink); // anything written after the last live piece
      stop();
      sink.end(final);
    };
    const viewer: Viewer = (c) => {
      if (stopped || c.attempt !== attempt) return; // another attempt's log
      if (catchingUp) held.push(c);
      else if ("end" in c) void finish(c.end);
      else deliver(c);
    };

    const key = `${runId}/${position}`;
    let watch = this.watches.get(key);
    if (!watch) {
      watch = new StepWatch(this.live.bus, runId, position, () => this.watches.delete(key));
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
      sent = await written.send(ref, sent, written.size(ref), sink);
      if (stopped) return;
      catchingUp = false;
      for (const c of held.splice(0)) {
        if ("end" in c) return void finish(c.end);
        deliver(c);
      }
      const now = this.live.stepOf(runId, position);
      // this attempt is over when the step is, when a later attempt began, or while the step waits to retry
      const over = !now || !LIVE.has(now.status) || now.attempt > attempt || (now.attempt === attempt && now.retry_at != null);
      if (over) await finish(now);
    })();
    return stop;
  }
}
