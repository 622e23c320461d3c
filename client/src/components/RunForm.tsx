// The small form Run opens for a task with parameters: one field per
// parameter, its default filled in, its choices as a list. A modal <dialog>:
// it holds the focus, Escape closes it, and the grid row behind it stays as it was.
import { For, Show, createSignal, onMount } from "solid-js";
import { api } from "../api.ts";
import { createSubmit } from "../lib/submit.ts";
import type { Run, Task } from "../types.ts";
import Field, { FormError } from "./Field.tsx";

export default function RunForm(props: { task: Task; onRun: (r: Run) => void; onClose: () => void }) {
  let dialog!: HTMLDialogElement;
  const params = () => props.task.params;
  const [values, setValues] = createSignal<Record<string, string>>(Object.fromEntries(params().map((p) => [p.name, p.default ?? p.choices?.[0] ?? ""])));
  const submit = createSubmit(params().map((p) => `params.${p.name}`));
  const set = (name: string, v: string) => setValues({ ...values(), [name]: v });
  const headingId = `run-form-h-${props.task.id}`;

  onMount(() => dialog.showModal());
  const go = async (e: SubmitEvent) => {
    e.preventDefault();
    await submit.run(async () => {
      // an empty field of a required parameter is not a value: the server then says it is required
      const given = Object.fromEntries(Object.entries(values()).filter(([k, v]) => v !== "" || params().find((p) => p.name === k)?.default !== undefined));
      const run = await api.tasks.trigger(props.task.name, given);
      dialog.close();
      props.onRun(run);
    });
  };
  return (
    <dialog ref={dialog} class="run-form" aria-labelledby={headingId} onClose={() => props.onClose()}>
      <form onSubmit={go} novalidate>
        <h2 id={headingId}>Run {props.task.name}</h2>
        <FormError error={submit.error()} />
        <For each={params()}>
          {(p) => (
            <Field label={p.name} hint={p.description || undefined} error={submit.field(`params.${p.name}`)}>
              {(id) =>
                p.choices ? (
                  <select id={id} name={p.name} value={values()[p.name]} onChange={(e) => set(p.name, e.currentTarget.value)}>
                    <For each={p.choices}>{(c) => <option value={c}>{c}</option>}</For>
                  </select>
                ) : (
                  <input
                    id={id}
                    name={p.name}
                    value={values()[p.name] ?? ""}
                    required={p.default === undefined}
                    placeholder={p.default === undefined ? "required" : undefined}
                    onInput={(e) => set(p.name, e.currentTarget.value)}
                  />
                )
              }
            </Field>
          )}
        </For>
        <div class="actions">
          <button type="submit" class="primary" disabled={submit.busy()}>
            <Show when={submit.busy()} fallback="Run">
              Starting…
            </Show>
          </button>
          <button type="button" onClick={() => dialog.close()}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
