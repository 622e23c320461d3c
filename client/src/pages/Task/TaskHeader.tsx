// Top of the task page: what the task is, when it runs, and (for admins)
// its controls.
import { Show } from "solid-js";
import type { Run, Task } from "../../types.ts";
import { Link } from "../../router.tsx";
import { isAdmin } from "../../session.ts";
import { describeCron } from "../../lib/cronText.ts";
import NextFire from "../../components/NextFire.tsx";
import Breakable from "../../components/Breakable.tsx";
import ChainInfo from "./ChainInfo.tsx";
import { AutoSwitch, RunNow } from "../../components/TaskControls.tsx";

export default function TaskHeader(props: { task: Task; onRun: (r: Run) => void; onTask: (t: Task) => void }) {
  return (
    <div class="task-head">
      <div class="page-head">
        <h1>
          <Breakable text={props.task.name} />
        </h1>
        <Show when={isAdmin()}>
          <div class="actions">
            <Show when={props.task.cron}>
              <AutoSwitch task={props.task} text="Auto schedule" onChange={props.onTask} />
            </Show>
            <RunNow task={props.task} onRun={props.onRun} />
            <Link class="button" href={`/tasks/${encodeURIComponent(props.task.name)}/edit`}>
              Edit
            </Link>
          </div>
        </Show>
      </div>
      <Show when={props.task.description}>
        <p class="desc">{props.task.description}</p>
      </Show>
      <dl class="meta">
        <dt>Schedule</dt>
        <dd>
          <Show when={props.task.cron} fallback="Manual only">
            {(c) => (
              <>
                <code>{c()}</code> <span class="muted">{describeCron(c()) ?? ""}</span>
                <Show when={props.task.timezone}>{(z) => <span class="muted"> ({z()} time)</span>}</Show>
              </>
            )}
          </Show>
        </dd>
        <dt>Next run</dt>
        <dd>
          <NextFire task={props.task} />
        </dd>
        <dt>Pool</dt>
        <dd>{props.task.pool ?? "none"}</dd>
        <Show when={props.task.runs_on}>
          {(on) => (
            <>
              <dt>Runs on</dt>
              <dd>
                <code>{on()}</code> <span class="muted">(a node of this name or label)</span>
              </dd>
            </>
          )}
        </Show>
        <dt>Steps</dt>
        <dd>{props.task.steps.map((s) => s.name).join(" → ")}</dd>
        <ChainInfo task={props.task} />
      </dl>
    </div>
  );
}
