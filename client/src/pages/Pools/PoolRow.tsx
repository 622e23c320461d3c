import { Show, createSignal } from "solid-js";
import type { Pool } from "../../types.ts";
import { api } from "../../api.ts";
import { isAdmin } from "../../session.ts";
import type { Submit } from "../../lib/submit.ts";
import ConfirmButton from "../../components/ConfirmButton.tsx";

/** `run`: the page's, which shows the error above the table. */
export default function PoolRow(props: { pool: Pool; run: Submit["run"]; onChanged: () => void }) {
  const [slots, setSlots] = createSignal(String(props.pool.slots));
  const act = async (f: () => Promise<unknown>) => {
    if (await props.run(f)) props.onChanged();
  };
  return (
    <tr>
      <th scope="row">{props.pool.name}</th>
      <td>
        <Show when={isAdmin()} fallback={props.pool.slots}>
          <form class="inline-form" onSubmit={(e) => (e.preventDefault(), void act(() => api.pools.update(props.pool.name, Number(slots()))))}>
            <input
              type="number"
              min="1"
              inputmode="numeric"
              class="narrow"
              aria-label={`Slots of ${props.pool.name}`}
              value={slots()}
              onInput={(e) => setSlots(e.currentTarget.value)}
            />
            <Show when={slots() !== String(props.pool.slots)}>
              <button type="submit">Save</button>
            </Show>
          </form>
        </Show>
      </td>
      <td>{props.pool.running}</td>
      <td>{props.pool.queued}</td>
      <Show when={isAdmin()}>
        <td>
          <ConfirmButton label="Delete" question={`Delete pool ${props.pool.name}?`} onConfirm={() => act(() => api.pools.remove(props.pool.name))} />
        </td>
      </Show>
    </tr>
  );
}
