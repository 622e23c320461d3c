import { createSignal } from "solid-js";
import { api, ApiError } from "../../api.ts";
import Field, { FormError } from "../../components/Field.tsx";
import { PASSWORD_MIN_LENGTH } from "../../../../server/schema/limits.ts";

export default function PasswordForm() {
  const [current, setCurrent] = createSignal("");
  const [next, setNext] = createSignal("");
  const [again, setAgain] = createSignal("");
  const [error, setError] = createSignal<ApiError | null>(null);
  const [done, setDone] = createSignal("");
  const mismatch = () => (again() && again() !== next() ? "The two new passwords differ." : undefined);
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    if (mismatch()) return;
    try {
      await api.me.password(current(), next());
      setCurrent("");
      setNext("");
      setAgain("");
      setError(null);
      setDone("Password changed.");
    } catch (err) {
      setDone("");
      setError(err as ApiError);
    }
  };
  const fieldErr = (f: string) => (error()?.field === f ? error()?.message : undefined);
  return (
    <form class="card" onSubmit={submit} aria-labelledby="pw-h">
      <h2 id="pw-h">Change password</h2>
      <FormError error={error() && !["current", "password"].includes(error()?.field ?? "") ? error()?.message : undefined} />
      <Field label="Current password" error={fieldErr("current")}>
        {(id) => (
          <input id={id} type="password" autocomplete="current-password" required value={current()} onInput={(e) => setCurrent(e.currentTarget.value)} />
        )}
      </Field>
      <Field label="New password" error={fieldErr("password")} hint={`At least ${PASSWORD_MIN_LENGTH} characters.`}>
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
        {done()}
      </p>
    </form>
  );
}
