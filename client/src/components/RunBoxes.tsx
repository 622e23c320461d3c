// The boxes of one run, side by side, as a labelled group.
import { For } from "solid-js";
import type { Run } from "../types.ts";
import StepBox from "./StepBox.tsx";
import { runLabel } from "../lib/status.ts";
import { fmtTime, relative } from "../lib/time.ts";
import { triggerText } from "../lib/trigger.ts";

export default function RunBoxes(props: { run: Run; selectedStep?: number }) {
  const when = () => props.run.started_at ?? props.run.queued_at;
  return (
    <div
      class={`run r-${props.run.status}`}
      role="group"
      aria-label={`Run ${props.run.id}, ${runLabel[props.run.status]}, ${relative(when())}${props.run.node ? `, on ${props.run.node}` : ""}`}
      title={`Run ${props.run.id} · ${runLabel[props.run.status]} · ${fmtTime(when())} · ${triggerText(props.run)}${props.run.node ? ` · on ${props.run.node}` : ""}`}
    >
      <For each={props.run.steps}>
        {(s) => <StepBox run={props.run} step={s} selected={props.selectedStep === s.position} />}
      </For>
    </div>
  );
}
