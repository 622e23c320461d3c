// The home page: the Tasks grid, kept current by live.ts.
import { For, Show } from "solid-js";
import { grid, loadGrid } from "../../live.ts";
import { Link } from "../../router.tsx";
import { isAdmin, serverTz } from "../../session.ts";
import { useTitle } from "../../lib/title.ts";
import GridRow from "./GridRow.tsx";
import Legend from "./Legend.tsx";

const COUNTS = [10, 25, 50, 100];

/** Columns for runs: as many as the task with the most runs shown has. */
const runColumns = () => Math.max(1, ...grid.tasks.map((t) => t.runs.length));

export default function TasksPage() {
  useTitle(() => "Tasks");
  return (
    <section class="page wide">
      <div class="page-head">
        <h1>Tasks</h1>
        <div class="actions">
          <label class="inline">
            Runs shown
            <select value={grid.runs} onChange={(e) => void loadGrid(Number(e.currentTarget.value))}>
              <For each={COUNTS}>{(n) => <option value={n}>{n}</option>}</For>
            </select>
          </label>
          <Show when={isAdmin()}>
            <Link href="/tasks/new" class="button primary">
              New task
            </Link>
          </Show>
        </div>
      </div>
      <Show when={grid.error}>
        <p class="form-error" role="alert">
          {grid.error}
        </p>
      </Show>
      <Show when={grid.loaded} fallback={<p class="muted">Loading…</p>}>
        <Show
          when={grid.tasks.length}
          fallback={
            <p class="empty">
              No tasks yet.{" "}
              <Show when={isAdmin()}>
                <Link href="/tasks/new">Create the first one</Link>.
              </Show>
            </p>
          }
        >
          <div class="grid-scroll" role="region" aria-label="Tasks and their recent runs" tabIndex={0}>
            <table class="grid">
              <thead>
                <tr>
                  <th scope="col" class="pin">
                    Task
                  </th>
                  <Show when={isAdmin()}>
                    <th scope="col">Auto / run</th>
                  </Show>
                  <th scope="col" colSpan={runColumns()}>
                    Recent runs, newest first
                  </th>
                  <td class="fill" />
                </tr>
              </thead>
              <tbody>
                <For each={grid.tasks}>{(t) => <GridRow task={t} cols={runColumns()} />}</For>
              </tbody>
            </table>
          </div>
        </Show>
      </Show>
      <footer class="grid-foot">
        <Legend />
        <p class="muted small">Times in {serverTz() ?? "the browser's timezone"}.</p>
      </footer>
    </section>
  );
}
