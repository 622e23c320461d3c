// Waiting for a run and streaming its steps' logs, shared by `run --wait
// --follow` and `logs -f`. A run's changes come from the /api/events socket
// (opened before the run is first read, so no change falls between); a step's
// log comes from `?follow=1`, which ends when the step does. No polling.
import { ClientExit, EXIT, FINISHED, out, type Client, type Run, type Step } from "./shared.ts";

export interface RunWatch {
  /** the newest state of the run seen so far */
  readonly run: Run;
  /** resolves with the run once it has changed after `than` */
  changed(than: Run): Promise<Run>;
  close(): void;
}

/** Opens /api/events, then calls `start` (which reads or triggers the run) and watches the run it returns. */
export async function watchRun(c: Client, start: () => Promise<Run>): Promise<RunWatch> {
  const ws = await c.socket("/api/events");
  const seen: Run[] = [];
  // runs changed before `start` said which run is ours: a run that ends before the
  // trigger's answer arrives must still be seen ending (newest state kept per run)
  const early = new Map<number, Run>();
  let wake: (() => void) | null = null;
  let closed: ClientExit | null = null;
  ws.addEventListener("message", (m) => {
    const e = JSON.parse(String(m.data)) as { type: string; run?: Run };
    if (e.type !== "run" || !e.run) return;
    if (seen[0] === undefined) early.set(e.run.id, e.run);
    else if (e.run.id === seen[0].id) seen[0] = e.run;
    wake?.();
  });
  ws.addEventListener("close", () => {
    closed ??= new ClientExit(EXIT.unreachable, `cannot reach the server at ${c.url} (its event stream closed)`);
    wake?.();
  });
  try {
    const run = await start();
    // a run the answer shows finished is final; else what the events said since the socket
    // opened is as new or newer (a live run still has changes coming, so an older one is caught up)
    seen[0] = FINISHED.has(run.status) ? run : (early.get(run.id) ?? run);
    early.clear();
  } catch (e) {
    ws.close();
    throw e;
  }
  return {
    get run() {
      return seen[0]!;
    },
    async changed(than) {
      while (seen[0] === than) {
        if (closed) throw closed;
        await new Promise<void>((r) => (wake = r));
      }
      return seen[0]!;
    },
    close() {
      closed = new ClientExit(EXIT.failed, "closed");
      ws.close();
    },
  };
}

/** Resolves with the run once it has finished. */
export async function ended(w: RunWatch): Promise<Run> {
  let run = w.run;
  while (!FINISHED.has(run.status)) run = await w.changed(run);
  return run;
}

export const header = (s: Step) => `== step ${s.position} ${s.name} (${s.status}) ==\n`;

/** Prints one step's log from the start; with `follow`, until the step ends. Returns whether it ended with a newline. */
export async function printLog(c: Client, runId: number, position: number, follow: boolean): Promise<boolean> {
  const res = await c.raw(`/api/runs/${runId}/steps/${position}/log${follow ? "?follow=1" : ""}`);
  let last = "\n";
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      if (chunk.length === 0) continue;
      last = String.fromCharCode(chunk[chunk.length - 1]!);
      await new Promise<void>((r) => (process.stdout.write(chunk) ? r() : process.stdout.once("drain", () => r())));
    }
  } catch (e) {
    throw new ClientExit(EXIT.unreachable, `cannot reach the server at ${c.url} (the log stream broke: ${(e as Error).message})`);
  }
  return last === "\n";
}

/**
 * Streams the steps from `from` on (only `from` when `only`), each after its
 * header, as each one starts; a step that never started (the run ended first)
 * gets its header alone. Returns the run as it was last seen.
 */
export async function followSteps(c: Client, w: RunWatch, from: number, only: boolean): Promise<Run> {
  let run = w.run;
  const last = only ? from : run.steps.length;
  for (let pos = from; pos <= last; pos++) {
    let step = run.steps[pos - 1]!;
    while (step.status === "pending" && !FINISHED.has(run.status)) {
      run = await w.changed(run);
      step = run.steps[pos - 1]!;
    }
    if (!only) await out(header(step));
    const started = step.status !== "pending";
    if (started && !(await printLog(c, run.id, pos, true))) await out("\n");
    run = w.run;
  }
  return run;
}
