import { createSignal } from "solid-js";
import { api } from "../../api.ts";
import { createSubmit } from "../../lib/submit.ts";
import type { Role } from "../../types.ts";
import Field, { FormError } from "../../components/Field.tsx";

export default function InviteForm(props: { onInvited: () => void }) {
  const [email, setEmail] = createSignal("");
  const [role, setRole] = createSignal<Role>("viewer");
  const form = createSubmit(["email"]);
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    void form.run(async () => {
      const to = email().trim();
      await api.users.invite(to, role());
      setEmail("");
      props.onInvited();
      return `Invitation sent to ${to}.`;
    });
  };
  return (
    <form class="card row-form" onSubmit={submit} aria-labelledby="invite-h">
      <h2 id="invite-h">Invite someone</h2>
      <FormError error={form.error()} />
      <Field label="E-mail" error={form.field("email")}>
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
        {form.done()}
      </p>
    </form>
  );
}
