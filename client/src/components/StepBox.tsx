// One box of the grid: one step of one run. Colour, a glyph (CSS, see
// grid.css) and the accessible name all tell the status; a step tried again
// carries a small "×3" and says "3rd attempt of 4" in its name.
import { Show } from "solid-js";
import type { Run, RunStep } from "../types.ts";
import { Link } from "../router.tsx";
import { attemptText, doneInText, stepLabel, hasLog } from "../lib/status.ts";

export function stepText(run: Run, step: RunStep): string {
  // Why it failed; a timeout or a cancel says enough by itself (its signal is ours).
  const extra = step.status !== "failed" ? "" : step.exit_code !== null ? `, exit ${step.exit_code}` : step.signal ? `, killed by ${step.signal}` : "";
  const more = [attemptText(step), doneInText(step)].filter(Boolean).map((t) => `, ${t}`).join("");
  return `Run ${run.id}, step ${step.position} ${step.name}: ${stepLabel[step.status]}${extra}${more}`;
}

export const runHref = (run: Run, pos?: number) =>
  `/tasks/${encodeURIComponent(run.task)}?run=${run.id}` + (pos ? `&step=${pos}` : "");

export default function StepBox(props: { run: Run; step: RunStep; selected?: boolean }) {
  const label = () => stepText(props.run, props.step);
  // the node only in the tooltip: the run's group (RunBoxes) already names it to a screen reader
  const tip = () => (props.run.node ? `${label()}, on ${props.run.node}` : label());
  return (
    <Link
      href={runHref(props.run, props.step.position)}
      class={`box s-${props.step.status}`}
      classList={{ sel: !!props.selected, nolog: !hasLog(props.step), retried: props.step.attempt > 1 }}
      aria-label={label()}
      aria-current={props.selected ? "true" : undefined}
      title={tip()}
    >
      <Show when={props.step.attempt > 1}>
        <span class="tries" aria-hidden="true">
          ×{props.step.attempt}
        </span>
      </Show>
    </Link>
  );
}
