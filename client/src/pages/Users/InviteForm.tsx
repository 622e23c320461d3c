import { createSignal } from "solid-js";
import { api, ApiError } from "../../api.ts";
import type { Role } from "../../types.ts";
import Field, { FormError } from "../../components/Field.tsx";

export default function InviteForm(props: { onInvited: () => void }) {
  const [email, setEmail] = createSignal("");
  const [role, setRole] = createSignal<Role>("viewer");
  const [error, setError] = createSignal<ApiError | null>(null);
  const [done, setDone] = createSignal("");
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    try {
      await api.users.invite(email().trim(), role());
      setDone(`Invitation sent to ${email().trim()}.`);
      setEmail("");
      setError(null);
      props.onInvited();
    } catch (err) {
      setDone("");
      setError(err as ApiError);
    }
  };
  return (
    <form class="card row-form" onSubmit={submit} aria-labelledby="invite-h">
      <h2 id="invite-h">Invite someone</h2>
      <FormError error={error() && error()?.field !== "email" ? error()?.message : undefined} />
      <Field label="E-mail" error={error()?.field === "email" ? error()?.message : undefined}>
        {(id) => (
          <input id={id} type="email" required autocomplete="off" value={email()} onInput={(e) => setEmail(e.currentTarget.value)} />
        )}
      </Field>
      <Field label="Role">
        {(id) => (
          <select id={id} value={role()} onChange={(e) => setRole(e.currentTarget.value as Role)}>
            <option value="viewer">viewer (read-only)</option>
            <option value="admin">admin</option>
          </select>
        )}
      </Field>
      <button type="submit" class="primary">
        Send invitation
      </button>
      <p class="ok-text" role="status">
        {done()}
      </p>
    </form>
  );
}
