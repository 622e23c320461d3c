// Which attempt of a step tried again to show: 1 … the latest. Earlier
// attempts all failed or timed out (that is why there was another).
import { For, createUniqueId } from "solid-js";

export default function AttemptPicker(props: { count: number; max: number; chosen: number; latestStatus: string; onPick: (n: number) => void }) {
  const id = createUniqueId();
  const numbers = () => Array.from({ length: props.count }, (_, i) => i + 1);
  const text = (n: number) => `${n} of ${props.max} (${n === props.count ? `latest: ${props.latestStatus}` : "tried again"})`;
  return (
    // a label beside the select, not around it: the select's name is then "Attempt" alone
    <span class="attempt-pick">
      <label for={id}>Attempt</label>
      <select id={id} value={props.chosen} onChange={(e) => props.onPick(Number(e.currentTarget.value))}>
        <For each={numbers()}>
          {(n) => (
            <option value={n} selected={n === props.chosen}>
              {text(n)}
            </option>
          )}
        </For>
      </select>
    </span>
  );
}
