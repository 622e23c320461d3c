// When a task fires next, in the server timezone and relative to now.
import { Match, Switch } from "solid-js";
import type { Task } from "../types.ts";
import { fmtFire, fmtTime, relative } from "../lib/time.ts";

export default function NextFire(props: { task: Task }) {
  return (
    <Switch fallback={<span class="muted">Manual only</span>}>
      <Match when={props.task.cron && !props.task.enabled}>
        <span class="muted">Auto off</span>
      </Match>
      <Match when={props.task.cron && props.task.next_fire_at}>
        {(at) => (
          <span>
            Next <time dateTime={at()} title={fmtTime(at())}>{fmtFire(at())}</time> <span class="muted nowrap">({relative(at())})</span>
          </span>
        )}
      </Match>
      <Match when={props.task.cron}>
        <span class="muted">No upcoming fire time</span>
      </Match>
    </Switch>
  );
}
