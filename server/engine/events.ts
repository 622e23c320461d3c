// The typed, in-process event bus. Run and task changes go to every listener;
// log chunks go only to the listeners of that one step, so a hundred viewers
// of one log cost nothing to the rest of the server.
import type { Run, StepRun, Task } from "./types.ts";

export type EngineEvent =
  | { type: "run"; run: Run }
  | { type: "task"; task: Task }
  | { type: "task_deleted"; name: string }
  /** a node joined or left the cluster, or the lead moved: GET /api/nodes again */
  | { type: "nodes" }
  /** a scheduled run did not start within its task's start_deadline_s */
  | { type: "late"; task: string; scheduled_for: number; run_id: number | null; reason: "not_started" | "server_down" };

export interface LogChunk {
  offset: number;
  data: Uint8Array;
  /** which attempt of the step wrote it: each attempt has its own log */
  attempt: number;
}

export type LogListener = {
  chunk(c: LogChunk): void;
  /** an attempt's log is complete (the step may still retry) */
  end(step: StepRun, attempt: number): void;
};

const stepKey = (runId: number, position: number) => `${runId}/${position}`;

/** `remote`: it happened on another node (cluster/): shown, but not acted on twice (alerts, metrics) */
export type EventListener = (e: EngineEvent, remote: boolean) => void;

export class EventBus {
  private readonly listeners = new Set<EventListener>();
  private readonly logListeners = new Map<string, Set<LogListener>>();

  on(fn: EventListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  emit(e: EngineEvent): void {
    this.deliver(e, false);
  }

  /** what another node's bus carried (cluster/) */
  emitRemote(e: EngineEvent): void {
    this.deliver(e, true);
  }

  private deliver(e: EngineEvent, remote: boolean): void {
    for (const fn of this.listeners) {
      try {
        fn(e, remote);
      } catch (err) {
        console.error(`lightflow: an event listener failed: ${(err as Error).message}`);
      }
    }
  }

  onLog(runId: number, position: number, l: LogListener): () => void {
    const key = stepKey(runId, position);
    let set = this.logListeners.get(key);
    if (!set) this.logListeners.set(key, (set = new Set()));
    set.add(l);
    return () => {
      set.delete(l);
      if (set.size === 0) this.logListeners.delete(key);
    };
  }

  emitLog(runId: number, position: number, c: LogChunk): void {
    const set = this.logListeners.get(stepKey(runId, position));
    if (set) for (const l of [...set]) l.chunk(c);
  }

  emitLogEnd(runId: number, position: number, step: StepRun, attempt: number): void {
    const set = this.logListeners.get(stepKey(runId, position));
    if (set) for (const l of [...set]) l.end(step, attempt);
  }
}
