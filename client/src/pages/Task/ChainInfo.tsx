// The task's place in chains: the tasks it runs after, and those that run
// after it (from the live grid, so a new follower shows without a reload).
import { For, Show } from "solid-js";
import { grid } from "../../live.ts";
import { Link } from "../../router.tsx";
import type { ChainWhen, Task } from "../../types.ts";

const WHEN: Record<ChainWhen, string> = { success: "on success", failed: "when it does not succeed", finished: "whenever it ends" };

function TaskLinks(props: { links: { task: string; when: ChainWhen }[] }) {
  return (
    <For each={props.links}>
      {(l, i) => (
        <>
          {i() > 0 ? ", " : ""}
          <Link href={`/tasks/${encodeURIComponent(l.task)}`}>{l.task}</Link> <span class="muted">({WHEN[l.when]})</span>
        </>
      )}
    </For>
  );
}

export default function ChainInfo(props: { task: Task }) {
  /** each task that names this one in its `after`, with its `when` */
  const followers = () =>
    grid.tasks.flatMap((t) => (t.after ?? []).filter((l) => l.task === props.task.name).map((l) => ({ task: t.name, when: l.when })));
  return (
    <>
      <Show when={(props.task.after ?? []).length}>
        <dt>Runs after</dt>
        <dd class="chain-after">
          <TaskLinks links={props.task.after} />
        </dd>
      </Show>
      <Show when={followers().length}>
        <dt>Followed by</dt>
        <dd class="chain-followers">
          <TaskLinks links={followers()} />
        </dd>
      </Show>
    </>
  );
}
