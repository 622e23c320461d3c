// GET /api/grid as JSON text: every task with its newest runs, the Tasks page
// in one call. With 100 tasks × 50 runs × 3 steps that is 4.5 MB, and reading
// and writing it is nearly all of the request's time. A finished run never
// changes again, so the runs part of a task with nothing queued or running is
// kept as JSON text and sent again while the same runs are still its newest
// (the same name, and the same count and lowest and highest run id). A task
// with a live run is always read afresh. The text kept is bounded; the least
// recently stored goes first.
import type { Engine } from "../engine/index.ts";
import type { Task } from "../engine/types.ts";
import { runOut, taskOut } from "./serialize.ts";

interface Kept {
  key: string;
  json: string;
}

export class GridRenderer {
  private readonly kept = new Map<number, Kept>();
  private size = 0;

  constructor(
    private readonly engine: Engine,
    /** characters of JSON kept at most (about bytes: the text is mostly ASCII) */
    private readonly maxSize = 16 * 1024 * 1024,
  ) {}

  /** `{"tasks": [{…task, "runs": [run]}]}` with the newest `limit` runs of each task. */
  render(limit: number): string {
    const tasks = this.engine.listTasks();
    const parts = tasks.map((task) => {
      const head = JSON.stringify(taskOut(task, this.engine.nextFireAt(task.id)));
      return `${head.slice(0, -1)},"runs":${this.runsOf(task, limit)}}`;
    });
    if (this.kept.size > tasks.length) {
      const listed = new Set(tasks.map((t) => t.id));
      for (const id of this.kept.keys()) if (!listed.has(id)) this.drop(id); // deleted tasks
    }
    return `{"tasks":[${parts.join(",")}]}`;
  }

  /** The JSON array of a task's newest runs. */
  runsOf(task: Task, limit: number): string {
    const found = this.kept.get(task.id);
    this.drop(task.id); // stored again below while still good: the map's order is the order of use
    const live = this.engine.hasLiveRun(task.id);
    const key = `${limit}/${task.name}/${this.engine.newestRunsKey(task.id, limit)}`;
    if (!live && found?.key === key) {
      this.keep(task.id, found);
      return found.json;
    }
    let held = live; // a run the engine still holds may differ from the database (a rename since it ended)
    const runs = this.engine.runsOf(task.id, limit).map((r) => {
      if (this.engine.liveRun(r.id)) held = true;
      return runOut(r);
    });
    const json = JSON.stringify(runs);
    if (!held && json.length <= this.maxSize) this.keep(task.id, { key, json });
    return json;
  }

  private drop(taskId: number): void {
    const found = this.kept.get(taskId);
    if (!found) return;
    this.kept.delete(taskId);
    this.size -= found.json.length;
  }

  private keep(taskId: number, k: Kept): void {
    this.kept.set(taskId, k);
    this.size += k.json.length;
    for (const [id, old] of this.kept) {
      if (this.size <= this.maxSize) break;
      this.kept.delete(id);
      this.size -= old.json.length;
    }
  }
}
