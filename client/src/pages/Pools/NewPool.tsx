import { createSignal } from "solid-js";
import { api } from "../../api.ts";
import { createSubmit } from "../../lib/submit.ts";
import Field, { FormError } from "../../components/Field.tsx";

export default function NewPool(props: { onCreated: () => void }) {
  const [name, setName] = createSignal("");
  const [slots, setSlots] = createSignal("1");
  const form = createSubmit(["name", "slots"]);
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    void form.run(async () => {
      await api.pools.create(name().trim(), Number(slots()));
      setName("");
      setSlots("1");
      props.onCreated();
    });
  };
  return (
    <form class="card row-form" onSubmit={submit} aria-labelledby="new-pool-h">
      <h2 id="new-pool-h">New pool</h2>
      <FormError error={form.error()} />
      <Field label="Name" error={form.field("name")}>
        {(id) => <input id={id} required value={name()} onInput={(e) => setName(e.currentTarget.value)} />}
      </Field>
      <Field label="Slots" error={form.field("slots")}>
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
