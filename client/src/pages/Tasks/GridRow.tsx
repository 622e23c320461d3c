// One row of the Tasks grid: the task (pinned while the runs scroll
// sideways), its controls, then one cell per recent run, newest first.
import { For, Show } from "solid-js";
import type { GridTask } from "../../types.ts";
import { Link } from "../../router.tsx";
import { isAdmin } from "../../session.ts";
import RunBoxes from "../../components/RunBoxes.tsx";
import NextFire from "../../components/NextFire.tsx";
import { AutoSwitch, RunNow } from "../../components/TaskControls.tsx";

export default function GridRow(props: { task: GridTask }) {
  return (
    <tr>
      <th scope="row" class="pin">
        <Link href={`/tasks/${encodeURIComponent(props.task.name)}`} class="task-name">
          {props.task.name}
        </Link>
        <div class="small">
          <NextFire task={props.task} />
        </div>
      </th>
      <Show when={isAdmin()}>
        <td class="ctl">
          <div class="ctl-box">
            <AutoSwitch task={props.task} />
            <RunNow task={props.task} />
          </div>
        </td>
      </Show>
      <td class="runs">
        <div class="runs-line">
          <For each={props.task.runs} fallback={<span class="muted small">No runs yet</span>}>
            {(run) => <RunBoxes run={run} />}
          </For>
        </div>
      </td>
    </tr>
  );
}
