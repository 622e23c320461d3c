// The one WebSocket to /api/events, and the Solid store of the Tasks grid it
// keeps current. Reconnects after a close with exponential backoff: one timer
// per close, never a poll. After every (re)connect the grid is loaded once
// over HTTP, and events that arrive during that load are replayed after it,
// so nothing that happened while we were away is missed.
import { createStore, produce, reconcile } from "solid-js/store";
import { api, wsUrl } from "./api.ts";
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
  ws: null as WebSocket | null,
  timer: 0 as ReturnType<typeof setTimeout> | 0,
  attempt: 0,
  wanted: false,
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
  if (conn.wanted) return;
  conn.wanted = true;
  open();
}

export function stopLive() {
  conn.wanted = false;
  if (conn.timer) clearTimeout(conn.timer);
  conn.timer = 0;
  conn.ws?.close();
  conn.ws = null;
  setGrid({ tasks: [], loaded: false, connected: false });
}

/** Reconnect at once (e.g. the browser came back online) instead of waiting for the timer. */
function retryNow() {
  if (!conn.wanted || conn.ws) return;
  if (conn.timer) clearTimeout(conn.timer);
  conn.timer = 0;
  open();
}
window.addEventListener("online", retryNow);

function open() {
  const ws = new WebSocket(wsUrl("/events"));
  conn.ws = ws;
  let opened = false;
  ws.onopen = () => {
    opened = true;
    conn.attempt = 0;
    setGrid("connected", true);
    void loadGrid();
    emit({ type: "resync" });
  };
  ws.onmessage = (m) => {
    let e: LiveEvent;
    try {
      e = JSON.parse(String(m.data)) as LiveEvent;
    } catch {
      return;
    }
    if (conn.loading) conn.buffer.push(e);
    else apply(e);
    emit(e);
  };
  ws.onclose = () => {
    if (conn.ws !== ws) return;
    conn.ws = null;
    setGrid("connected", false);
    // Never connected at all (server down, or no WebSocket): still show the grid.
    if (!opened && !grid.loaded) void loadGrid();
    if (!conn.wanted) return;
    const delay = Math.min(30_000, 1000 * 2 ** conn.attempt++) * (0.75 + Math.random() / 2);
    conn.timer = setTimeout(() => {
      conn.timer = 0;
      if (conn.wanted) open();
    }, delay);
  };
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
  // "late" (a run that missed its start deadline) changes nothing the grid shows
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
