// Chooses what to show for a step's log: nothing yet, nothing at all, or the
// viewer. The viewer is created anew for each step (and attempt), and once
// when a pending step starts.
import { Match, Switch, onMount } from "solid-js";
import { loc } from "../../router.tsx";
import type { RunStep } from "../../types.ts";
import LogViewer from "../../components/LogViewer/index.tsx";

export default function StepLog(props: { run: number; step: RunStep }) {
  // A retried step writes a new log per attempt (the server serves the latest): a new attempt gets a new viewer.
  const key = () => `${props.run}/${props.step.position}/${props.step.attempt ?? 1}`;
  let el!: HTMLDivElement;
  // Arriving from a box in the grid (?step=…): bring the log into view.
  onMount(() => loc().query.has("step") && el.scrollIntoView({ block: "start" }));
  return (
    <div class="step-log" ref={el}>
      <h3>
        Log of step {props.step.position}. {props.step.name}
      </h3>
      <Switch>
        <Match when={props.step.status === "pending"}>
          <p class="muted">Waiting for this step to start…</p>
        </Match>
        <Match when={props.step.status === "not_run"}>
          <p class="muted">This step did not run.</p>
        </Match>
        <Match when={key()} keyed>
          {(_key) => <LogViewer run={props.run} step={props.step} />}
        </Match>
      </Switch>
    </div>
  );
}
