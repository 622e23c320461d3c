// One row of the Tasks grid: the task (pinned while the runs scroll
// sideways), its controls, then one column per recent run, newest first, so
// the runs of all tasks line up. A task without a schedule has no Auto switch.
import { For, Index, Show } from "solid-js";
import type { GridTask } from "../../types.ts";
import { Link } from "../../router.tsx";
import { isAdmin } from "../../session.ts";
import RunBoxes from "../../components/RunBoxes.tsx";
import Breakable from "../../components/Breakable.tsx";
import NextFire from "../../components/NextFire.tsx";
import { AutoSwitch, RunNow } from "../../components/TaskControls.tsx";

export default function GridRow(props: { task: GridTask; cols: number }) {
  const empty = () => Math.max(0, props.cols - props.task.runs.length);
  return (
    <tr>
      <th scope="row" class="pin">
        <Link href={`/tasks/${encodeURIComponent(props.task.name)}`} class="task-name">
          <Breakable text={props.task.name} />
        </Link>
        <div class="small">
          <NextFire task={props.task} />
        </div>
      </th>
      <Show when={isAdmin()}>
        <td class="ctl">
          <div class="ctl-box">
            <Show when={props.task.cron} fallback={<span class="switch-gap" />}>
              <AutoSwitch task={props.task} />
            </Show>
            <RunNow task={props.task} />
          </div>
        </td>
      </Show>
      <Show
        when={props.task.runs.length}
        fallback={
          <td class="run-cell none" colSpan={Math.max(1, props.cols)}>
            <span class="muted small">No runs yet</span>
          </td>
        }
      >
        <For each={props.task.runs}>
          {(run) => (
            <td class="run-cell">
              <RunBoxes run={run} />
            </td>
          )}
        </For>
        <Index each={Array(empty())}>{() => <td class="run-cell" />}</Index>
      </Show>
      <td class="fill" />
    </tr>
  );
}
