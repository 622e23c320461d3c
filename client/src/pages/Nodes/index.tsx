// Nodes: the Lightflow processes sharing the database, which one leads, and
// how busy each is. Read again when the server says a node came, went or the
// lead moved ({type: "nodes"}), after a reconnect, and once after a burst of
// run events (the running counts); never on a timer.
import { For, Show, onCleanup } from "solid-js";
import { api } from "../../api.ts";
import { onLive } from "../../live.ts";
import { useTitle } from "../../lib/title.ts";
import { createPageData } from "../../lib/resource.ts";
import { fmtClock } from "../../lib/time.ts";
import { FormError } from "../../components/Field.tsx";
import NodeRow from "./NodeRow.tsx";

/** How long a burst of run events may last before the counts are read again. */
const RUNS_SETTLE_MS = 500;

export default function NodesPage() {
  useTitle(() => "Nodes");
  const nodes = createPageData(async () => {
    const list = await api.nodes();
    return { list, at: new Date().toISOString() };
  });
  const t = { timer: 0 as ReturnType<typeof setTimeout> | 0 };
  onCleanup(
    onLive((m) => {
      if (m.type === "nodes" || m.type === "resync") void nodes.reload();
      else if (m.type === "run" && !t.timer) t.timer = setTimeout(() => ((t.timer = 0), void nodes.reload()), RUNS_SETTLE_MS);
    }),
  );
  onCleanup(() => t.timer && clearTimeout(t.timer));
  const alive = () => nodes.data()?.list.filter((n) => n.alive) ?? [];
  const leader = () => nodes.data()?.list.find((n) => n.leader && n.alive)?.name;
  return (
    <section class="page wide">
      <h1 id="nodes-h">Nodes</h1>
      <p class="hint">
        Every Lightflow server started on the same PostgreSQL database is a node: each serves this site and runs steps. The leader fires the
        schedules and gives each queued run to a node that matches its task's "Runs on". A node not seen for 10 seconds is gone: its running
        runs fail and its queued ones go to the others.
      </p>
      <FormError error={nodes.error()} />
      <Show when={nodes.data()} fallback={<p class="muted">Loading…</p>}>
        {(d) => (
          <>
            <p class="nodes-sum">
              {`${d().list.length} node${d().list.length === 1 ? "" : "s"}, ${alive().length} alive; `}
              {leader() ? `leader: ${leader()}.` : "no leader right now: one takes over within seconds."}{" "}
              <span class="muted small">As of {fmtClock(d().at)}.</span>
            </p>
            <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="nodes-h">
              <table class="list nodes">
                <thead>
                  <tr>
                    <th scope="col">Node</th>
                    <th scope="col">State</th>
                    <th scope="col">Running / capacity</th>
                    <th scope="col">Labels</th>
                    <th scope="col">URL</th>
                    <th scope="col">Started</th>
                    <th scope="col">Last seen</th>
                  </tr>
                </thead>
                <tbody>
                  <For each={d().list}>{(n) => <NodeRow node={n} />}</For>
                </tbody>
              </table>
            </div>
            <Show when={d().list.length === 1}>
              <p class="hint">
                One node does everything here. More join by starting Lightflow on other machines with the same LIGHTFLOW_DATABASE_URL (PostgreSQL);
                see "Several machines" in the README.
              </p>
            </Show>
          </>
        )}
      </Show>
    </section>
  );
}
