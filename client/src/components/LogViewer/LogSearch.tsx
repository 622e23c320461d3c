// Search within the loaded part of a log: Enter / Shift+Enter step through.
import { Show } from "solid-js";

export default function LogSearch(props: {
  count: number;
  current: number;
  onSearch: (q: string) => void;
  onJump: (delta: number) => void;
}) {
  const timer = { t: 0 as ReturnType<typeof setTimeout> | 0 };
  const input = (v: string) => {
    if (timer.t) clearTimeout(timer.t);
    timer.t = setTimeout(() => props.onSearch(v), 200);
  };
  return (
    <span class="log-search" role="search">
      <input
        type="search"
        placeholder="Search log"
        aria-label="Search the loaded log"
        onInput={(e) => input(e.currentTarget.value)}
        onKeyDown={(e) => e.key === "Enter" && (e.preventDefault(), props.onJump(e.shiftKey ? -1 : 1))}
      />
      <button type="button" aria-label="Previous match" disabled={!props.count} onClick={() => props.onJump(-1)}>
        ↑
      </button>
      <button type="button" aria-label="Next match" disabled={!props.count} onClick={() => props.onJump(1)}>
        ↓
      </button>
      <Show when={props.count}>
        <span class="small muted" aria-live="polite">
          {props.current + 1} of {props.count}
        </span>
      </Show>
    </span>
  );
}
