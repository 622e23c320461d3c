// The task's runs, newest first, with durations and a chart of them, and
// filters; picking one shows it above.
import { For, Show } from "solid-js";
import type { Run, RunFilter } from "../../types.ts";
import { Link } from "../../router.tsx";
import { fmtShort, relative, span } from "../../lib/time.ts";
import RunBoxes from "../../components/RunBoxes.tsx";
import StatusBadge from "../../components/StatusBadge.tsx";
import { runHref } from "../../components/StepBox.tsx";
import RunFilters from "./RunFilters.tsx";
import { triggerText } from "../../lib/trigger.ts";
import DurationChart from "./DurationChart.tsx";

const trig = (r: Run) => triggerText(r);

interface Props {
  runs: Run[];
  selected?: number;
  more: boolean;
  onMore: () => void;
  filtered: boolean;
  onFilter: (f: RunFilter) => void;
  onPick: (id: number) => void;
}

export default function RunList(props: Props) {
  return (
    <section aria-labelledby="runs-h" class="runs">
      <h2 id="runs-h">Runs</h2>
      <RunFilters onChange={props.onFilter} />
      <Show when={props.runs.length} fallback={<p class="muted">{props.filtered ? "No runs match these filters." : "No runs yet."}</p>}>
        <DurationChart runs={props.runs} selected={props.selected} onPick={props.onPick} />
        <div class="table-scroll">
          <table class="list runs-table">
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Status</th>
                <th scope="col">Started</th>
                <th scope="col">Duration</th>
                <th scope="col">Trigger</th>
                <th scope="col">Steps</th>
              </tr>
            </thead>
            <tbody>
              <For each={props.runs}>
                {(r) => (
                  <tr classList={{ sel: props.selected === r.id }}>
                    <td>
                      <Link href={runHref(r)} aria-current={props.selected === r.id ? "true" : undefined}>
                        #{r.id}
                      </Link>
                    </td>
                    <td>
                      <StatusBadge status={r.status} />
                    </td>
                    <td>
                      {fmtShort(r.started_at ?? r.queued_at)} <span class="muted small nowrap">({relative(r.started_at ?? r.queued_at)})</span>
                    </td>
                    <td>{span(r.started_at, r.ended_at)}</td>
                    <td>{trig(r)}</td>
                    <td>
                      <RunBoxes run={r} />
                    </td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </div>
        <Show when={props.more}>
          <button type="button" onClick={props.onMore}>
            Older runs
          </button>
        </Show>
      </Show>
    </section>
  );
}
