import { createSignal } from "solid-js";
import { api } from "../../api.ts";
import { createSubmit } from "../../lib/submit.ts";
import Field, { FormError } from "../../components/Field.tsx";
import { PASSWORD_MIN_LENGTH } from "../../../../server/schema/limits.ts";

export default function PasswordForm() {
  const [current, setCurrent] = createSignal("");
  const [next, setNext] = createSignal("");
  const [again, setAgain] = createSignal("");
  const form = createSubmit(["current", "password"]);
  const mismatch = () => (again() && again() !== next() ? "The two new passwords differ." : undefined);
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    if (mismatch()) return;
    void form.run(async () => {
      await api.me.password(current(), next());
      setCurrent("");
      setNext("");
      setAgain("");
      return "Password changed.";
    });
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="pw-h">
      <h2 id="pw-h">Change password</h2>
      <FormError error={form.error()} />
      <Field label="Current password" error={form.field("current")}>
        {(id) => (
          <input id={id} type="password" autocomplete="current-password" required value={current()} onInput={(e) => setCurrent(e.currentTarget.value)} />
        )}
      </Field>
      <Field label="New password" error={form.field("password")} hint={`At least ${PASSWORD_MIN_LENGTH} characters.`}>
        {(id) => (
          <input id={id} type="password" autocomplete="new-password" minLength={PASSWORD_MIN_LENGTH} required value={next()} onInput={(e) => setNext(e.currentTarget.value)} />
        )}
      </Field>
      <Field label="New password again" error={mismatch()}>
        {(id) => (
          <input id={id} type="password" autocomplete="new-password" required value={again()} onInput={(e) => setAgain(e.currentTarget.value)} />
        )}
      </Field>
      <button type="submit" class="primary">
        Change password
      </button>
      <p class="ok-text" role="status">
        {form.done()}
      </p>
    </form>
  );
}
