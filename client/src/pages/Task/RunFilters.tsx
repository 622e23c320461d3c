// Filters of the runs list: statuses (none ticked: any) and a range of days
// in the server's timezone, both sent to the server (?status=&from=&to=), so
// paging goes on through the filtered runs.
import { For, Show, createSignal, createUniqueId } from "solid-js";
import type { RunFilter, RunStatus } from "../../types.ts";
import { runLabel } from "../../lib/status.ts";
import { dayStart, nextDay } from "../../lib/days.ts";
import { serverTz } from "../../session.ts";

const STATUSES: RunStatus[] = ["success", "failed", "cancelled", "running", "queued"];

export default function RunFilters(props: { onChange: (f: RunFilter) => void }) {
  const id = createUniqueId();
  const [status, setStatus] = createSignal<RunStatus[]>([]);
  const [from, setFrom] = createSignal("");
  const [to, setTo] = createSignal("");
  const active = () => status().length > 0 || !!from() || !!to();

  const apply = () => {
    const f: RunFilter = {};
    if (status().length) f.status = STATUSES.filter((s) => status().includes(s));
    const start = from() && dayStart(from(), serverTz());
    const end = to() && dayStart(nextDay(to()), serverTz()); // the whole last day
    if (start) f.from = start;
    if (end) f.to = end;
    props.onChange(f);
  };
  const toggle = (s: RunStatus, on: boolean) => {
    setStatus((all) => (on ? [...all, s] : all.filter((x) => x !== s)));
    apply();
  };
  const clear = () => {
    setStatus([]);
    setFrom("");
    setTo("");
    apply();
  };

  return (
    <form class="run-filters" aria-label="Filter runs" onSubmit={(e) => e.preventDefault()}>
      <fieldset class="status-filter">
        <legend>Status</legend>
        <For each={STATUSES}>
          {(s) => (
            <label class="check">
              <input type="checkbox" checked={status().includes(s)} onChange={(e) => toggle(s, e.currentTarget.checked)} />
              {runLabel[s]}
            </label>
          )}
        </For>
      </fieldset>
      <fieldset class="day-range">
        <legend>Queued (days in {serverTz() ?? "your timezone"})</legend>
        <span class="day">
          <label for={`${id}-from`}>from</label>
          <input id={`${id}-from`} type="date" value={from()} max={to() || undefined} onChange={(e) => (setFrom(e.currentTarget.value), apply())} />
        </span>
        <span class="day">
          <label for={`${id}-to`}>to</label>
          <input id={`${id}-to`} type="date" value={to()} min={from() || undefined} onChange={(e) => (setTo(e.currentTarget.value), apply())} />
        </span>
      </fieldset>
      <Show when={active()}>
        <button type="button" onClick={clear}>
          Clear filters
        </button>
      </Show>
    </form>
  );
}
