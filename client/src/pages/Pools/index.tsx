// Pools: how many runs of their tasks may run at once. Running and queued
// counts follow the live run events (one reload per burst of events).
import { For, Show, onCleanup } from "solid-js";
import { api } from "../../api.ts";
import { onLive } from "../../live.ts";
import { isAdmin } from "../../session.ts";
import { useTitle } from "../../lib/title.ts";
import { createPageData } from "../../lib/resource.ts";
import { createSubmit } from "../../lib/submit.ts";
import { FormError } from "../../components/Field.tsx";
import PoolRow from "./PoolRow.tsx";
import NewPool from "./NewPool.tsx";

export default function PoolsPage() {
  useTitle(() => "Pools");
  const pools = createPageData(api.pools.list);
  const refetch = pools.reload;
  /** the rows' Save and Delete */
  const rows = createSubmit();
  const t = { timer: 0 as ReturnType<typeof setTimeout> | 0 };
  onCleanup(
    onLive((m) => {
      if (m.type !== "run" && m.type !== "resync") return;
      if (!t.timer) t.timer = setTimeout(() => ((t.timer = 0), void refetch()), 500);
    }),
  );
  onCleanup(() => t.timer && clearTimeout(t.timer));
  return (
    <section class="page">
      <h1>Pools</h1>
      <p class="hint">A task in a pool holds one of its slots while it runs; when all slots are taken, its runs wait in the queue.</p>
      <FormError error={rows.error() || pools.error()} />
      <Show when={pools.data()} fallback={<p class="muted">Loading…</p>}>
        <div class="table-scroll">
          <table class="list">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Slots</th>
                <th scope="col">Running</th>
                <th scope="col">Queued</th>
                <Show when={isAdmin()}>
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                </Show>
              </tr>
            </thead>
            <tbody>
              <For each={pools.data()} fallback={<tr><td colSpan={5} class="muted">No pools yet.</td></tr>}>
                {(p) => <PoolRow pool={p} run={rows.run} onChanged={() => void refetch()} />}
              </For>
            </tbody>
          </table>
        </div>
      </Show>
      <Show when={isAdmin()}>
        <NewPool onCreated={() => void refetch()} />
      </Show>
    </section>
  );
}
