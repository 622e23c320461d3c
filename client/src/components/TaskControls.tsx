// The two admin controls of a task, used on the grid and the task page:
// the Auto switch (PATCH enabled) and Run now (POST runs; a task with
// parameters asks for their values first).
import { createSignal, Show } from "solid-js";
import { api } from "../api.ts";
import { applyRun, applyTask } from "../live.ts";
import { notify, notifyError } from "../lib/notify.ts";
import Switch from "./Switch.tsx";
import RunForm from "./RunForm.tsx";
import type { Run, Task } from "../types.ts";

/** With `text`, the switch shows it as its label; otherwise it is named for the task (grid rows). */
export function AutoSwitch(props: { task: Task; text?: string; onChange?: (t: Task) => void }) {
  // The wanted state shows at once; the task's own state takes over when the
  // answer (or the live event) arrives, or again after an error.
  const [want, setWant] = createSignal<boolean | null>(null);
  const set = async (on: boolean) => {
    setWant(on);
    try {
      const t = await api.tasks.patch(props.task.name, { enabled: on });
      applyTask(t);
      props.onChange?.(t);
    } catch (e) {
      notifyError(e);
    } finally {
      setWant(null);
    }
  };
  return (
    <Switch
      checked={want() ?? props.task.enabled}
      disabled={want() !== null || !props.task.cron}
      label={props.text ?? `Auto: run ${props.task.name} on its schedule`}
      showText={!!props.text}
      onChange={set}
    />
  );
}

export function RunNow(props: { task: Task; onRun?: (r: Run) => void }) {
  const [busy, setBusy] = createSignal(false);
  const [asking, setAsking] = createSignal(false);
  const started = (r: Run) => {
    applyRun(r);
    props.onRun?.(r);
    if (r.status === "queued") notify(`${props.task.name}: run ${r.id} is queued.`);
  };
  const run = async () => {
    if (props.task.params?.length) return setAsking(true);
    setBusy(true);
    try {
      started(await api.tasks.trigger(props.task.name));
    } catch (e) {
      notifyError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button
        type="button"
        class="run-now"
        disabled={busy()}
        onClick={run}
        aria-label={props.task.params?.length ? `Run ${props.task.name}…` : `Run ${props.task.name} now`}
        aria-haspopup={props.task.params?.length ? "dialog" : undefined}
      >
        <span aria-hidden="true">▶</span>
        <span class="btn-text">Run</span>
      </button>
      <Show when={asking()}>
        <RunForm task={props.task} onRun={started} onClose={() => setAsking(false)} />
      </Show>
    </>
  );
}
