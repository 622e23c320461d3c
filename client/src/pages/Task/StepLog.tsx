// Chooses what to show for a step's log: nothing yet, nothing at all, or the
// viewer, and for a step tried again, which attempt (?attempt=N in the URL;
// none: the latest, which a new attempt then replaces). The viewer is created
// anew for each step and attempt, and once when a pending step starts.
import { Match, Show, Switch, createMemo, onMount } from "solid-js";
import { Link, loc, setQuery } from "../../router.tsx";
import type { RunStep } from "../../types.ts";
import { maxAttempts, stepLabel } from "../../lib/status.ts";
import LogViewer from "../../components/LogViewer/index.tsx";
import AttemptPicker from "./AttemptPicker.tsx";

export default function StepLog(props: { run: number; step: RunStep }) {
  const chosen = createMemo(() => {
    const n = Number(loc().query.get("attempt"));
    return Number.isInteger(n) && n >= 1 && n < props.step.attempt ? n : props.step.attempt;
  });
  // A retried step writes a new log per attempt. Whether the shown attempt is the latest is part of
  // the key: an attempt that was followed live is shown again as finished once the next one starts.
  const key = () => `${props.run}/${props.step.position}/${chosen()}/${chosen() === props.step.attempt}`;
  let el!: HTMLDivElement;
  // Arriving from a box in the grid (?step=…): bring the log into view.
  onMount(() => loc().query.has("step") && el.scrollIntoView({ block: "start" }));
  return (
    <div class="step-log" ref={el}>
      <div class="page-head">
        <h3>
          Log of step {props.step.position}. {props.step.name}
        </h3>
        <Show when={props.step.attempt > 1}>
          <AttemptPicker
            count={props.step.attempt}
            max={maxAttempts(props.step)}
            chosen={chosen()}
            latestStatus={stepLabel[props.step.status]}
            onPick={(n) => setQuery({ attempt: n === props.step.attempt ? null : n })}
          />
        </Show>
      </div>
      <Switch>
        <Match when={props.step.status === "pending"}>
          <p class="muted">Waiting for this step to start…</p>
        </Match>
        <Match when={props.step.status === "not_run"}>
          <p class="muted">This step did not run.</p>
        </Match>
        <Match when={props.step.done_in != null}>
          <p class="muted">
            This retry did not run this step again: it was done in <Link href={`/runs/${props.step.done_in}?step=${props.step.position}`}>run #{props.step.done_in}</Link>.
          </p>
        </Match>
        <Match when={key()} keyed>
          {(_key) => <LogViewer run={props.run} step={props.step} attempt={chosen()} />}
        </Match>
      </Switch>
    </div>
  );
}
