// The aria-live region where notify() messages appear.
import { For } from "solid-js";
import { dismiss, notes } from "../lib/notify.ts";

export default function Notes() {
  return (
    <div class="notes" aria-live="polite">
      <For each={notes()}>
        {(n) => (
          <div class={`note ${n.kind}`} role={n.kind === "error" ? "alert" : "status"}>
            <span>{n.text}</span>
            <button type="button" class="icon-btn" aria-label="Dismiss" onClick={() => dismiss(n.id)}>
              ×
            </button>
          </div>
        )}
      </For>
    </div>
  );
}
