// "Runs after": the tasks whose runs' ends start this one, each with when
// (on success, when it did not succeed, whenever it ends). The server refuses
// unknown tasks and cycles and names the link at fault.
import { For, Show } from "solid-js";
import type { SetStoreFunction } from "solid-js/store";
import { api } from "../../api.ts";
import { createPageData } from "../../lib/resource.ts";
import { FormError } from "../../components/Field.tsx";
import type { ChainWhen } from "../../types.ts";
import type { Errors, TaskForm } from "./model.ts";

export const WHEN_TEXT: Record<ChainWhen, string> = {
  success: "when it succeeds",
  failed: "when it does not succeed (failed, timed out, cancelled)",
  finished: "whenever it ends",
};

export default function ChainFields(props: { form: TaskForm; setForm: SetStoreFunction<TaskForm>; errors: Errors; self?: string }) {
  const tasks = createPageData(() => api.tasks.list().catch(() => []));
  const names = () => (tasks.data() ?? []).map((t) => t.name).filter((n) => n !== props.self);
  const add = () => {
    const free = names().find((n) => !props.form.after.some((l) => l.task === n));
    props.setForm("after", (a) => [...a, { task: free ?? "", when: "success" }]);
  };
  return (
    <fieldset class="chain-edit">
      <legend>Runs after</legend>
      <p class="hint">When a run of one of these tasks ends as chosen, one run of this task is queued.</p>
      <FormError error={props.errors.after} />
      <For each={props.form.after}>
        {(link, i) => (
          <div class="row-form chain-link">
            <select
              aria-label={`Upstream task ${i() + 1}`}
              aria-invalid={props.errors[`after.${i()}.task`] ? "true" : undefined}
              onChange={(e) => props.setForm("after", i(), "task", e.currentTarget.value)}
            >
              <For each={names()}>{(n) => <option value={n} selected={n === link.task}>{n}</option>}</For>
              <Show when={link.task && !names().includes(link.task)}>
                <option value={link.task} selected>
                  {link.task}
                </option>
              </Show>
            </select>
            <select
              aria-label={`When, for upstream task ${i() + 1}`}
              onChange={(e) => props.setForm("after", i(), "when", e.currentTarget.value as ChainWhen)}
            >
              <For each={Object.entries(WHEN_TEXT)}>{([w, text]) => <option value={w} selected={w === link.when}>{text}</option>}</For>
            </select>
            <button
              type="button"
              class="danger"
              aria-label={`Remove ${link.task || "this link"}`}
              onClick={() => props.setForm("after", (a) => a.filter((_, j) => j !== i()))}
            >
              Remove
            </button>
            <FormError error={props.errors[`after.${i()}.task`] ?? props.errors[`after.${i()}.when`]} />
          </div>
        )}
      </For>
      <button type="button" onClick={add} disabled={names().length === 0}>
        Run after another task…
      </button>
    </fieldset>
  );
}
