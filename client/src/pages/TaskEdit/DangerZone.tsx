// Duplicate a task under a new name, or delete it (runs and logs too).
import { createSignal } from "solid-js";
import { api } from "../../api.ts";
import { navigate } from "../../router.tsx";
import { applyTask } from "../../live.ts";
import { createSubmit } from "../../lib/submit.ts";
import Field, { FormError } from "../../components/Field.tsx";
import ConfirmButton from "../../components/ConfirmButton.tsx";

export default function DangerZone(props: { name: string }) {
  const [copy, setCopy] = createSignal(`${props.name}_copy`);
  const form = createSubmit();
  const duplicate = (e: SubmitEvent) => {
    e.preventDefault();
    void form.run(async () => {
      const t = await api.tasks.duplicate(props.name, copy().trim());
      applyTask(t);
      navigate(`/tasks/${encodeURIComponent(t.name)}/edit`);
    });
  };
  const remove = async () => {
    await form.run(async () => {
      await api.tasks.remove(props.name);
      navigate("/");
    });
  };
  return (
    <section class="card" aria-labelledby="more-h">
      <h2 id="more-h">Duplicate or delete</h2>
      <FormError error={form.error()} />
      <form class="row-form" onSubmit={duplicate}>
        <Field label="Name of the copy">
          {(id) => <input id={id} value={copy()} onInput={(e) => setCopy(e.currentTarget.value)} required />}
        </Field>
        <button type="submit">Duplicate</button>
      </form>
      <p>
        <ConfirmButton
          label="Delete task"
          question={`Delete ${props.name} with all its runs and logs?`}
          confirmLabel="Yes, delete it"
          onConfirm={remove}
        />
      </p>
    </section>
  );
}
