import { createSignal } from "solid-js";
import { api } from "../../api.ts";
import { createSubmit } from "../../lib/submit.ts";
import Field, { FormError } from "../../components/Field.tsx";

export default function ForgotForm(props: { email: string }) {
  const [email, setEmail] = createSignal(props.email);
  const [done, setDone] = createSignal(false);
  const form = createSubmit();
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    if (await form.run(() => api.auth.forgot(email().trim()))) setDone(true);
  };
  return (
    <form class="card" onSubmit={submit} aria-label="Reset your password">
      <FormError error={form.error()} />
      <Field label="Your e-mail">
        {(id) => <input id={id} type="email" required value={email()} onInput={(e) => setEmail(e.currentTarget.value)} />}
      </Field>
      <button type="submit">Send a reset link</button>
      <p role="status" class="ok-text">
        {done() ? "If an account uses this address, a link to set a new password is on its way. It works for one hour." : ""}
      </p>
    </form>
  );
}
