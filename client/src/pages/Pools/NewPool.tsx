import { createSignal } from "solid-js";
import { api, ApiError } from "../../api.ts";
import Field, { FormError } from "../../components/Field.tsx";

export default function NewPool(props: { onCreated: () => void }) {
  const [name, setName] = createSignal("");
  const [slots, setSlots] = createSignal("1");
  const [error, setError] = createSignal<ApiError | null>(null);
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    try {
      await api.pools.create(name().trim(), Number(slots()));
      setName("");
      setSlots("1");
      setError(null);
      props.onCreated();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const fieldErr = (f: string) => (error()?.field === f ? error()?.message : undefined);
  return (
    <form class="card row-form" onSubmit={submit} aria-labelledby="new-pool-h">
      <h2 id="new-pool-h">New pool</h2>
      <FormError error={error() && !error()?.field ? error()?.message : undefined} />
      <Field label="Name" error={fieldErr("name")}>
        {(id) => <input id={id} required value={name()} onInput={(e) => setName(e.currentTarget.value)} />}
      </Field>
      <Field label="Slots" error={fieldErr("slots")}>
        {(id) => (
          <input id={id} type="number" min="1" inputmode="numeric" class="narrow" value={slots()} onInput={(e) => setSlots(e.currentTarget.value)} />
        )}
      </Field>
      <button type="submit" class="primary">
        Add pool
      </button>
    </form>
  );
}
