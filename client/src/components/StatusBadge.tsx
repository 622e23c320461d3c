// A run's or step's status as a word with a glyph and a colour.
import type { RunStatus, StepStatus } from "../types.ts";
import { runLabel, stepLabel } from "../lib/status.ts";

export default function StatusBadge(props: { status: RunStatus | StepStatus }) {
  const label = () => (props.status in runLabel ? runLabel[props.status as RunStatus] : stepLabel[props.status as StepStatus]);
  return <span class={`badge b-${props.status}`}>{label()}</span>;
}
