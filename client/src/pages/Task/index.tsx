// The task page: the task, its runs, and the chosen run with its step logs.
// The chosen run and step live in the URL (?run=812&step=2), so a link to a
// failed step's log can be shared.
import { Show, createEffect, createMemo, on } from "solid-js";
import { createTaskData } from "./loader.ts";
import TaskHeader from "./TaskHeader.tsx";
import RunList from "./RunList.tsx";
import RunDetail from "./RunDetail.tsx";
import { Link, loc, setQuery } from "../../router.tsx";
import { useTitle } from "../../lib/title.ts";
import type { Run } from "../../types.ts";

/** The step worth looking at first: the running one, else the first failure, else the last that ran. */
function defaultStep(run: Run): number {
  const s =
    run.steps.find((x) => x.status === "running") ??
    run.steps.find((x) => x.status === "failed" || x.status === "timed_out" || x.status === "cancelled") ??
    [...run.steps].reverse().find((x) => x.status !== "not_run" && x.status !== "pending") ??
    run.steps[0];
  return s?.position ?? 1;
}

export default function TaskPage(props: { params: Record<string, string> }) {
  const data = createTaskData(props.params.name);
  useTitle(() => props.params.name);

  const runId = createMemo(() => Number(loc().query.get("run")) || data.runs[0]?.id || 0);
  createEffect(on(runId, (id) => id && data.ensureRun(id)));
  const run = () => (runId() ? data.runById(runId()) : null);
  const step = () => {
    const r = run();
    return Number(loc().query.get("step")) || (r ? defaultStep(r) : 1);
  };
  const ran = (r: Run) => {
    data.upsert(r);
    setQuery({ run: r.id, step: null, attempt: null });
  };

  return (
    <section class="page wide">
      <p class="crumbs">
        <Link href="/">Tasks</Link> / <span class="break">{props.params.name}</span>
      </p>
      <Show when={data.error()}>
        <p class="form-error" role="alert">
          {data.error()}
        </p>
      </Show>
      <Show when={data.deleted()}>
        <p class="form-error" role="alert">
          This task was deleted. <Link href="/">Back to the tasks</Link>
        </p>
      </Show>
      <Show when={data.task()} fallback={<p class="muted">{data.error() ? "" : "Loading…"}</p>}>
        {(t) => <TaskHeader task={t()} onRun={ran} onTask={data.setTask} />}
      </Show>
      <Show when={run()}>{(r) => <RunDetail run={r()} step={step()} onChange={data.upsert} onRun={ran} />}</Show>
      <Show when={data.task()}>
        <RunList
          runs={data.runs}
          selected={runId()}
          more={data.more()}
          onMore={() => void data.loadMore()}
          filtered={Object.keys(data.filter()).length > 0}
          onFilter={data.setFilter}
          onPick={(id) => setQuery({ run: id, step: null, attempt: null })}
        />
      </Show>
    </section>
  );
}
