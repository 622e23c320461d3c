import { createSignal } from "solid-js";
import { api, ApiError } from "../../api.ts";
import Field, { FormError } from "../../components/Field.tsx";

export default function NewVariable(props: { onCreated: () => void }) {
  const [key, setKey] = createSignal("");
  const [value, setValue] = createSignal("");
  const [secret, setSecret] = createSignal(false);
  const [error, setError] = createSignal<ApiError | null>(null);
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    try {
      await api.variables.create({ key: key().trim(), value: value(), secret: secret() });
      setKey("");
      setValue("");
      setSecret(false);
      setError(null);
      props.onCreated();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const fieldErr = (f: string) => (error()?.field === f ? error()?.message : undefined);
  return (
    <form class="card" onSubmit={submit} aria-labelledby="new-var-h">
      <h2 id="new-var-h">New variable</h2>
      <FormError error={error() && !error()?.field ? error()?.message : undefined} />
      <Field label="Key" error={fieldErr("key")} hint="Letters, digits and _, not starting with a digit; not PATH, PYTHONPATH, HOME or LIGHTFLOW_…">
        {(id) => (
          <input id={id} class="mono" required autocomplete="off" value={key()} onInput={(e) => setKey(e.currentTarget.value)} />
        )}
      </Field>
      <Field label="Value" error={fieldErr("value")}>
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
