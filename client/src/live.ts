// The one WebSocket to /api/events, and the Solid store of the Tasks grid it
// keeps current. It reconnects as every socket of the client does (socket.ts).
// After every (re)connect the grid is loaded once over HTTP, and events that
// arrive during that load are replayed after it, so nothing that happened
// while we were away is missed.
import { createStore, produce, reconcile } from "solid-js/store";
import { api, wsUrl } from "./api.ts";
import { reconnecting } from "./socket.ts";
import { isStale } from "./lib/status.ts";
import type { GridTask, LiveEvent, Run, Task } from "./types.ts";

/** What listeners get: the server's events, plus `resync` after a reconnect. */
export type LiveMessage = LiveEvent | { type: "resync" };

interface GridState {
  tasks: GridTask[];
  loaded: boolean;
  connected: boolean;
  error: string;
  runs: number;
}

const [grid, setGrid] = createStore<GridState>({ tasks: [], loaded: false, connected: false, error: "", runs: 25 });
export { grid };

// Connection state lives in one object behind these functions (no module `let`).
const conn = {
  stop: null as null | (() => void),
  loading: false,
  buffer: [] as LiveEvent[],
  listeners: new Set<(m: LiveMessage) => void>(),
};

/** Subscribes to live messages; returns the unsubscribe function. */
export function onLive(fn: (m: LiveMessage) => void): () => void {
  conn.listeners.add(fn);
  return () => conn.listeners.delete(fn);
}

export function startLive() {
  if (conn.stop) return;
  conn.stop = reconnecting<LiveEvent>({
    url: () => wsUrl("/events"),
    firstDelay: 1000,
    maxDelay: 30_000,
    jitter: true,
    onOpen() {
      setGrid("connected", true);
      void loadGrid();
      emit({ type: "resync" });
    },
    onMessage(e) {
      if (conn.loading) conn.buffer.push(e);
      else apply(e);
      emit(e);
    },
    onClose(opened) {
      setGrid("connected", false);
      // Never connected at all (server down, or no WebSocket): still show the grid.
      if (!opened && !grid.loaded) void loadGrid();
    },
  });
}

export function stopLive() {
  conn.stop?.();
  conn.stop = null;
  setGrid({ tasks: [], loaded: false, connected: false });
}

function emit(m: LiveMessage) {
  for (const fn of conn.listeners) fn(m);
}

/** Loads the grid with N runs per task (N kept for later reloads). */
export async function loadGrid(runs = grid.runs) {
  setGrid("runs", runs);
  conn.loading = true;
  try {
    const g = await api.grid(runs);
    setGrid("tasks", reconcile(g.tasks, { key: "id" }));
    setGrid({ loaded: true, error: "" });
  } catch (e) {
    setGrid("error", (e as Error).message);
  } finally {
    conn.loading = false;
    const queued = conn.buffer.splice(0);
    for (const e of queued) apply(e);
  }
}

function apply(e: LiveEvent) {
  if (e.type === "run") applyRun(e.run);
  else if (e.type === "task") applyTask(e.task);
  else if (e.type === "task_deleted") setGrid("tasks", (ts) => ts.filter((t) => t.name !== e.name));
  // "late" (a run that missed its start deadline) and "nodes" (the Nodes page's) change nothing the grid shows
}

/** Puts a run into the grid (also used with the answer of "Run now"). */
export function applyRun(run: Run) {
  const i = grid.tasks.findIndex((t) => t.name === run.task);
  if (i < 0) return;
  const j = grid.tasks[i].runs.findIndex((r) => r.id === run.id);
  // reconcile keeps the existing objects, so only the boxes that changed re-render
  if (j >= 0) return isStale(run, grid.tasks[i].runs[j]) ? undefined : setGrid("tasks", i, "runs", j, reconcile(run));
  setGrid(
    "tasks",
    i,
    "runs",
    produce((runs: Run[]) => {
      const at = runs.findIndex((r) => r.id < run.id);
      runs.splice(at < 0 ? runs.length : at, 0, run);
      if (runs.length > grid.runs) runs.length = grid.runs;
    }),
  );
}

/** Puts a task into the grid, keeping its runs and the order by name. */
export function applyTask(task: Task) {
  const i = grid.tasks.findIndex((t) => t.id === task.id);
  if (i >= 0) {
    setGrid("tasks", i, (t) => ({ ...task, runs: t.runs }));
    if (grid.tasks[i].name === task.name) return;
  } else setGrid("tasks", (ts) => [...ts, { ...task, runs: [] }]);
  setGrid("tasks", (ts) => [...ts].sort((a, b) => a.name.localeCompare(b.name)));
}
