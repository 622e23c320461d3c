// What the boxes mean; each status has a glyph as well as a colour.
import { For } from "solid-js";
import { stepLabel } from "../../lib/status.ts";
import type { StepStatus } from "../../types.ts";

const SHOWN: StepStatus[] = ["success", "skipped", "failed", "timed_out", "cancelled", "running", "pending", "not_run"];

export default function Legend() {
  return (
    <ul class="legend" aria-label="Legend">
      <For each={SHOWN}>
        {(s) => (
          <li>
            <span class={`box s-${s}`} aria-hidden="true" />
            {stepLabel[s]}
          </li>
        )}
      </For>
    </ul>
  );
}
