import { Show } from "solid-js";
import type { Role, User } from "../../types.ts";
import { api } from "../../api.ts";
import { me } from "../../session.ts";
import type { Submit } from "../../lib/submit.ts";
import ConfirmButton from "../../components/ConfirmButton.tsx";

/** `run`: the page's, which shows the error above the table. */
export default function UserRow(props: { user: User; run: Submit["run"]; onChanged: () => void }) {
  const u = () => props.user;
  const self = () => me()?.id === u().id;
  const act = async (f: () => Promise<unknown>) => {
    await props.run(f);
    props.onChanged(); // also puts a refused change (409) back on screen
  };
  return (
    <tr>
      <th scope="row" class="break">
        {u().email}
        <Show when={self()}>
          <span class="muted"> (you)</span>
        </Show>
      </th>
      <td>
        <select
          aria-label={`Role of ${u().email}`}
          value={u().role}
          onChange={(e) => void act(() => api.users.patch(u().id, { role: e.currentTarget.value as Role }))}
        >
          <option value="admin">admin</option>
          <option value="viewer">viewer</option>
        </select>
      </td>
      <td>
        <span class={`badge u-${u().status}`}>{u().status}</span>
      </td>
      <td>{u().totp_enabled ? "on" : "off"}</td>
      <td class="actions">
        <Show when={u().status !== "pending"}>
          <button type="button" onClick={() => void act(() => api.users.patch(u().id, { disabled: u().status !== "disabled" }))}>
            {u().status === "disabled" ? "Enable" : "Disable"}
          </button>
        </Show>
        <Show when={u().totp_enabled}>
          <ConfirmButton
            label="Reset two-factor"
            class=""
            question={`Remove ${u().email}'s second factor?`}
            confirmLabel="Yes, remove it"
            onConfirm={() => act(() => api.users.resetTotp(u().id))}
          />
        </Show>
        <ConfirmButton label="Delete" question={`Delete ${u().email}?`} onConfirm={() => act(() => api.users.remove(u().id))} />
      </td>
    </tr>
  );
}
