// The ordered list of steps: edit, reorder, add, remove (as many as STEPS_PER_TASK, the API's limit, allows).
import { For } from "solid-js";
import type { SetStoreFunction } from "solid-js/store";
import StepRow from "./StepRow.tsx";
import { blankStep, type Errors, type StepForm, type TaskForm } from "./model.ts";
import { STEPS_PER_TASK } from "../../../../server/schema/limits.ts";

export default function StepsEditor(props: { form: TaskForm; setForm: SetStoreFunction<TaskForm>; errors: Errors; clearErrors: () => void }) {
  const move = (i: number, d: number) => {
    const steps = [...props.form.steps];
    [steps[i], steps[i + d]] = [steps[i + d], steps[i]];
    props.setForm("steps", steps);
    props.clearErrors(); // errors name positions, which just changed
  };
  const remove = (i: number) => {
    props.setForm("steps", (s) => s.filter((_, j) => j !== i));
    props.clearErrors();
  };
  const add = () => props.setForm("steps", (s) => [...s, blankStep(s.length + 1)]);
  return (
    <section aria-labelledby="steps-h" class="steps-edit">
      <h2 id="steps-h">Steps</h2>
      <p class="hint">Steps run one after another. Exit code 0 is success, 75 is skipped, anything else fails the run.</p>
      <For each={props.form.steps}>
        {(s, i) => (
          <StepRow
            step={s}
            index={i()}
            count={props.form.steps.length}
            errors={props.errors}
            onSet={(k, v) => props.setForm("steps", i(), k, v as never)}
            onMove={(d) => move(i(), d)}
            onRemove={() => remove(i())}
          />
        )}
      </For>
      <button type="button" onClick={add} disabled={props.form.steps.length >= STEPS_PER_TASK.max}>
        + Add a step
      </button>
    </section>
  );
}
