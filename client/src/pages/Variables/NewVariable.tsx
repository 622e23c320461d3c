import { createSignal } from "solid-js";
import { api } from "../../api.ts";
import { createSubmit } from "../../lib/submit.ts";
import Field, { FormError } from "../../components/Field.tsx";

export default function NewVariable(props: { onCreated: () => void }) {
  const [key, setKey] = createSignal("");
  const [value, setValue] = createSignal("");
  const [secret, setSecret] = createSignal(false);
  const form = createSubmit(["key", "value"]);
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    void form.run(async () => {
      await api.variables.create({ key: key().trim(), value: value(), secret: secret() });
      setKey("");
      setValue("");
      setSecret(false);
      props.onCreated();
    });
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="new-var-h">
      <h2 id="new-var-h">New variable</h2>
      <FormError error={form.error()} />
      <Field label="Key" error={form.field("key")} hint="Letters, digits and _, not starting with a digit; not PATH, PYTHONPATH, HOME or LIGHTFLOW_…">
        {(id) => (
          <input id={id} class="mono" required autocomplete="off" value={key()} onInput={(e) => setKey(e.currentTarget.value)} />
        )}
      </Field>
      <Field label="Value" error={form.field("value")}>
        {(id) => (
          <textarea id={id} class="mono" rows={3} autocomplete="off" value={value()} onInput={(e) => setValue(e.currentTarget.value)} />
        )}
      </Field>
      <label class="check">
        <input type="checkbox" checked={secret()} onChange={(e) => setSecret(e.currentTarget.checked)} /> Secret (write-only, masked in logs)
      </label>
      <div class="actions">
        <button type="submit" class="primary">
          Add variable
        </button>
      </div>
    </form>
  );
}
