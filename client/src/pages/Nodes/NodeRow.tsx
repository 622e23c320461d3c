// One node: its name with a leader badge, alive or gone, its load, and when
// it was started and last renewed its lease.
import { For, Show } from "solid-js";
import type { ClusterNode } from "../../types.ts";
import { fmtTime, now, relative } from "../../lib/time.ts";

/** "just now", "3 min ago": never "in …", though the page's clock ticks only every 30 s and the server's may run ahead. */
const ago = (iso: string) => relative(iso, Math.max(now(), Date.parse(iso) + 1));

export default function NodeRow(props: { node: ClusterNode }) {
  const n = () => props.node;
  return (
    <tr classList={{ gone: !n().alive }}>
      <th scope="row" class="break">
        {n().name}
        <Show when={n().leader}>
          {" "}
          <span class="badge n-leader">leader</span>
        </Show>
      </th>
      <td>
        <span class={`badge ${n().alive ? "n-alive" : "n-gone"}`}>{n().alive ? "alive" : "gone"}</span>
      </td>
      <td class="nowrap">
        {n().running} / {n().capacity}
      </td>
      <td>
        <For each={n().labels} fallback={<span class="muted">none</span>}>
          {(l, i) => (
            <>
              {i() > 0 ? " " : ""}
              <code>{l}</code>
            </>
          )}
        </For>
      </td>
      <td class="break">{n().url ?? <span class="muted">unknown</span>}</td>
      <td class="nowrap">{fmtTime(n().started_at)}</td>
      <td class="nowrap">
        <time datetime={n().last_seen_at} title={fmtTime(n().last_seen_at)}>
          {ago(n().last_seen_at)}
        </time>
      </td>
    </tr>
  );
}
