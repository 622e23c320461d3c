// Users: invite by e-mail with a role, change roles, disable, reset the
// second factor, delete.
import { For, Show } from "solid-js";
import { api } from "../../api.ts";
import { useTitle } from "../../lib/title.ts";
import { createPageData } from "../../lib/resource.ts";
import { createSubmit } from "../../lib/submit.ts";
import { FormError } from "../../components/Field.tsx";
import InviteForm from "./InviteForm.tsx";
import UserRow from "./UserRow.tsx";

export default function UsersPage() {
  useTitle(() => "Users");
  const users = createPageData(api.users.list);
  /** the rows' changes */
  const rows = createSubmit();
  return (
    <section class="page wide">
      <h1>Users</h1>
      <InviteForm onInvited={() => void users.reload()} />
      <FormError error={rows.error() || users.error()} />
      <Show when={users.data()} fallback={<p class="muted">Loading…</p>}>
        <div class="table-scroll">
          <table class="list">
            <thead>
              <tr>
                <th scope="col">E-mail</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Two-factor</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              <For each={users.data()}>{(u) => <UserRow user={u} run={rows.run} onChanged={() => void users.reload()} />}</For>
            </tbody>
          </table>
        </div>
      </Show>
    </section>
  );
}
