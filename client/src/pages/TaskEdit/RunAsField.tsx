// The task's `run_as`: the Unix user its steps run as. It lives in the form's
// `extra` (the fields the editor sends back as they came), so the editor's
// model stays as it is; a step's own run_as stays there too, set through the API.
import type { SetStoreFunction } from "solid-js/store";
import Field from "../../components/Field.tsx";
import type { Errors, TaskForm } from "./model.ts";

export default function RunAsField(props: { form: TaskForm; setForm: SetStoreFunction<TaskForm>; errors: Errors }) {
  const value = () => (typeof props.form.extra.run_as === "string" ? props.form.extra.run_as : "");
  const stepsOwn = () => props.form.steps.filter((s) => typeof s.extra.run_as === "string" && s.extra.run_as).length;
  return (
    <Field
      label="Run as (Unix user)"
      error={props.errors.run_as}
      hint={`Empty: the server's own user. Another user needs the server to run as root.${stepsOwn() ? ` ${stepsOwn()} step(s) name their own user.` : ""}`}
    >
      {(id) => (
        <input
          id={id}
          class="mono"
          autocomplete="off"
          spellcheck={false}
          placeholder="(the server's user)"
          value={value()}
          onInput={(e) => props.setForm("extra", "run_as", e.currentTarget.value.trim() || null)}
        />
      )}
    </Field>
  );
}
