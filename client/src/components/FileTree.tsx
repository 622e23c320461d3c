// The scripts directory as a tree: folders are <details> (native keyboard
// support), files are links that select them.
import { For, Show } from "solid-js";
import type { ScriptFile } from "../types.ts";

interface Node {
  name: string;
  path: string;
  file?: ScriptFile;
  children: Node[];
}

function build(files: ScriptFile[]): Node[] {
  const root: Node = { name: "", path: "", children: [] };
  for (const f of files) {
    let at = root;
    const parts = f.path.split("/");
    parts.forEach((name, i) => {
      const path = parts.slice(0, i + 1).join("/");
      let next = at.children.find((c) => c.name === name && !c.file === i < parts.length - 1);
      if (!next) {
        next = { name, path, children: [], file: i === parts.length - 1 ? f : undefined };
        at.children.push(next);
      }
      at = next;
    });
  }
  const sort = (n: Node) => {
    n.children.sort((a, b) => Number(!!a.file) - Number(!!b.file) || a.name.localeCompare(b.name));
    n.children.forEach(sort);
  };
  sort(root);
  return root.children;
}

function Branch(props: { nodes: Node[]; selected: string; onOpen: (path: string) => void }) {
  return (
    <ul>
      <For each={props.nodes}>
        {(n) => (
          <li>
            <Show
              when={n.file}
              fallback={
                <details open={props.selected.startsWith(n.path + "/")}>
                  <summary>{n.name}/</summary>
                  <Branch nodes={n.children} selected={props.selected} onOpen={props.onOpen} />
                </details>
              }
            >
              <Show
                when={!n.file?.binary}
                fallback={
                  <span class="file muted" title="A binary file: the editor opens text only">
                    {n.name} <span class="small">(binary)</span>
                  </span>
                }
              >
                <button
                  type="button"
                  class="file"
                  aria-current={props.selected === n.path ? "true" : undefined}
                  onClick={() => props.onOpen(n.path)}
                >
                  {n.name}
                </button>
              </Show>
            </Show>
          </li>
        )}
      </For>
    </ul>
  );
}

export default function FileTree(props: { files: ScriptFile[]; selected: string; onOpen: (path: string) => void }) {
  return (
    <nav class="tree" aria-label="Scripts">
      <Branch nodes={build(props.files)} selected={props.selected} onOpen={props.onOpen} />
    </nav>
  );
}
