// The task's `runs_on`: the node name or label its runs must run on. Like
// run_as it lives in the form's `extra` (sent back as it came), so the
// editor's model stays as it is. The suggestions are the names and labels of
// the nodes known now (GET /api/nodes); any other word is allowed, for a node
// that has not joined yet, and the hint says when nothing matches it.
import { For, createMemo, createUniqueId } from "solid-js";
import type { SetStoreFunction } from "solid-js/store";
import { api } from "../../api.ts";
import { createPageData } from "../../lib/resource.ts";
import Field from "../../components/Field.tsx";
import type { Errors, TaskForm } from "./model.ts";

interface Choice {
  value: string;
  /** what it is: "node" or "label of a, b" */
  what: string;
}

export default function RunsOnField(props: { form: TaskForm; setForm: SetStoreFunction<TaskForm>; errors: Errors }) {
  // a list that fails to load only loses the suggestions: the field still takes any word
  const nodes = createPageData(() => api.nodes().catch(() => []));
  const value = () => (typeof props.form.extra.runs_on === "string" ? props.form.extra.runs_on : "");
  const choices = createMemo<Choice[]>(() => {
    const list = nodes.data() ?? [];
    const names = list.map((n) => ({ value: n.name, what: n.alive ? "node" : "node, gone" }));
    const labels = [...new Set(list.flatMap((n) => n.labels))].sort().map((l) => ({
      value: l,
      what: `label of ${list.filter((n) => n.labels.includes(l)).map((n) => n.name).join(", ")}`,
    }));
    return [...names, ...labels];
  });
  const unmatched = () => {
    const v = value();
    const list = nodes.data();
    if (!v || !list) return false;
    return !list.some((n) => n.alive && (n.name === v || n.labels.includes(v)));
  };
  const listId = createUniqueId();
  // the datalist beside the Field, not in it: Field sets aria-describedby on the one element its child returns
  return (
    <>
      <Field
        label="Runs on"
        error={props.errors.runs_on}
        hint={
          <>
            A node name or label (LIGHTFLOW_NODE_LABELS); empty: any node.
            {unmatched() ? " No live node has this name or label now: its runs wait in the queue until one does." : ""}
          </>
        }
      >
        {(id) => (
          <input
            id={id}
            class="mono"
            list={listId}
            autocomplete="off"
            spellcheck={false}
            placeholder="(any node)"
            value={value()}
            onInput={(e) => props.setForm("extra", "runs_on", e.currentTarget.value.trim() || null)}
          />
        )}
      </Field>
      <datalist id={listId}>
        <For each={choices()}>{(c) => <option value={c.value} label={c.what} />}</For>
      </datalist>
    </>
  );
}
