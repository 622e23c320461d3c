// Data of the task page: the task, its runs (paged, newest first, filtered
// by status and by when they were queued) and a selected run that is older
// than the loaded pages; all kept current by live events, and reloaded once
// after a reconnect.
import { createSignal, onCleanup } from "solid-js";
import { createStore, produce, reconcile, unwrap } from "solid-js/store";
import { api } from "../../api.ts";
import { onLive } from "../../live.ts";
import { navigate } from "../../router.tsx";
import { isStale } from "../../lib/status.ts";
import type { Run, RunFilter, Task } from "../../types.ts";

const PAGE = 25;

/** Whether a run belongs in the list under `f` (for runs that arrive live). */
export function matches(run: Run, f: RunFilter): boolean {
  const queued = Date.parse(run.queued_at);
  if (f.status?.length && !f.status.includes(run.status)) return false;
  if (f.from && queued < Date.parse(f.from)) return false;
  return !(f.to && queued >= Date.parse(f.to));
}

export function createTaskData(name: string) {
  const [task, setTask] = createSignal<Task | null>(null);
  const [runs, setRuns] = createStore<Run[]>([]);
  const [more, setMore] = createSignal(false);
  const [error, setError] = createSignal("");
  const [deleted, setDeleted] = createSignal(false);
  const [other, setOther] = createSignal<Run | null>(null);
  const [filter, setFilterNow] = createSignal<RunFilter>({});
  /** the newest list request; older answers (a filter changed meanwhile) are dropped */
  const seq = { n: 0 };

  /** The first page of runs under the current filter. */
  const loadRuns = async () => {
    const mine = ++seq.n;
    const rs = await api.tasks.runs(name, PAGE, undefined, filter());
    if (mine !== seq.n) return;
    // a live event that arrived while this loaded may be newer than the answer, or a run the answer
    // does not have yet (queued after the server read the list)
    const merged = rs.map((r) => {
      const held = runs.find((x) => x.id === r.id);
      return held && isStale(r, held) ? structuredClone(unwrap(held)) : r;
    });
    const newest = rs[0]?.id ?? 0;
    const arrived = runs.filter((x) => x.id > newest && matches(x, filter())).map((x) => structuredClone(unwrap(x)));
    setRuns(reconcile([...arrived, ...merged], { key: "id" }));
    setMore(rs.length === PAGE);
  };

  const load = async (withTask = true) => {
    try {
      await Promise.all([withTask ? api.tasks.get(name).then(setTask) : null, loadRuns()]);
      setError("");
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const loadMore = async () => {
    const last = runs[runs.length - 1];
    if (!last) return;
    const mine = seq.n;
    try {
      const rs = await api.tasks.runs(name, PAGE, last.id, filter());
      if (mine !== seq.n) return;
      setRuns(produce((a) => a.push(...rs.filter((r) => !a.some((x) => x.id === r.id)))));
      setMore(rs.length === PAGE);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  /** A run by id, from the list or the one fetched by `ensureRun`. */
  const runById = (id: number): Run | null => runs.find((x) => x.id === id) ?? (other()?.id === id ? other() : null);

  /** Fetches a selected run that is older than the loaded pages. */
  const ensureRun = (id: number) => {
    if (runById(id)) return;
    api.runs.get(id).then(setOther, (e: Error) => setError(e.message));
  };

  const upsert = (run: Run) => {
    const o = other();
    if (o?.id === run.id && !isStale(run, o)) setOther(run);
    const i = runs.findIndex((r) => r.id === run.id);
    // A listed run stays listed when its status moves on (rows do not vanish while read); a new one must match.
    if (i >= 0) return isStale(run, runs[i]) ? undefined : setRuns(i, reconcile(run));
    if ((!runs.length || run.id > runs[0].id) && matches(run, filter())) setRuns(produce((a) => a.unshift(run)));
  };

  /** Shows only the runs that match `f` (from the first page again). */
  const setFilter = (f: RunFilter) => {
    setFilterNow(f);
    void load(false);
  };

  onCleanup(
    onLive((m) => {
      if (m.type === "resync") void load();
      else if (m.type === "run" && m.run.task === name) upsert(m.run);
      else if (m.type === "task" && m.task.id === task()?.id) {
        setTask(m.task);
        // Renamed elsewhere: follow it to its new address.
        if (m.task.name !== name) navigate(`/tasks/${encodeURIComponent(m.task.name)}${location.search}`, { replace: true });
      } else if (m.type === "task_deleted" && m.name === name) setDeleted(true);
    }),
  );
  void load();

  return { task, setTask, runs, more, error, deleted, loadMore, runById, ensureRun, upsert, filter, setFilter };
}
