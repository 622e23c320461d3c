// The task's parameters: what Run asks for (a value per parameter, its
// default filled in, its choices as a list), each an environment variable of
// every step of the run. Add, edit, remove, as many as the API allows.
import { For, Show } from "solid-js";
import type { SetStoreFunction } from "solid-js/store";
import Field from "../../components/Field.tsx";
import { PARAMS_PER_TASK } from "../../../../server/schema/limits.ts";
import type { Errors, TaskForm } from "./model.ts";
import { blankParam, type ParamForm } from "./params.ts";

export default function ParamsEditor(props: { form: TaskForm; setForm: SetStoreFunction<TaskForm>; errors: Errors; clearErrors: () => void }) {
  const set = (i: number, k: keyof ParamForm, v: string | boolean) => props.setForm("params", i, k, v as never);
  const remove = (i: number) => {
    props.setForm("params", (ps) => ps.filter((_, j) => j !== i));
    props.clearErrors(); // errors name positions, which just changed
  };
  return (
    <section aria-labelledby="params-h" class="params-edit">
      <h2 id="params-h">Parameters</h2>
      <p class="hint">
        Run asks for them; each is an environment variable of every step of the run. A scheduled run takes the defaults, so a task with a schedule needs
        a default for each.
      </p>
      <Show when={props.errors.params}>
        <p class="error-text">{props.errors.params}</p>
      </Show>
      <For each={props.form.params}>
        {(p, i) => {
          const err = (k: string): string | undefined => props.errors[`params.${i()}.${k}`] ?? (k === "choices" ? Object.entries(props.errors).find(([f]) => f.startsWith(`params.${i()}.choices.`))?.[1] : undefined);
          return (
            <fieldset class="param-edit">
              <legend>Parameter {i() + 1}</legend>
              <div class="step-grid">
                <Field label="Name" error={err("name")} hint="Capitals, digits and _, such as DAYS">
                  {(id) => <input id={id} class="mono" value={p.name} onInput={(e) => set(i(), "name", e.currentTarget.value)} />}
                </Field>
                <Field label="Default" error={err("default")} hint={p.required ? "None: a value must be given on every run" : undefined}>
                  {(id) => <input id={id} value={p.default} disabled={p.required} onInput={(e) => set(i(), "default", e.currentTarget.value)} />}
                </Field>
                <label class="check">
                  <input type="checkbox" checked={p.required} onChange={(e) => set(i(), "required", e.currentTarget.checked)} />
                  Required (no default)
                </label>
                <Field label="Choices" error={err("choices")} hint="One per line; empty: any value">
                  {(id) => <textarea id={id} rows={2} value={p.choices} onInput={(e) => set(i(), "choices", e.currentTarget.value)} />}
                </Field>
                <Field label="Description" class="span2" error={err("description")}>
                  {(id) => <input id={id} value={p.description} onInput={(e) => set(i(), "description", e.currentTarget.value)} />}
                </Field>
              </div>
              <button type="button" class="danger" onClick={() => remove(i())} aria-label={`Remove parameter ${i() + 1}${p.name ? ` ${p.name}` : ""}`}>
                Remove
              </button>
            </fieldset>
          );
        }}
      </For>
      <button type="button" onClick={() => props.setForm("params", (ps) => [...ps, blankParam()])} disabled={props.form.params.length >= PARAMS_PER_TASK}>
        + Add a parameter
      </button>
    </section>
  );
}
