// One variable: its key, its value (or a mask), and for admins Edit (plain)
// or Replace (secret), and Delete.
import { Show, createSignal } from "solid-js";
import type { Variable } from "../../types.ts";
import { api } from "../../api.ts";
import { isAdmin } from "../../session.ts";
import type { Submit } from "../../lib/submit.ts";
import ConfirmButton from "../../components/ConfirmButton.tsx";

/** `run`: the page's, which shows the error above the list. */
export default function VariableRow(props: { variable: Variable; run: Submit["run"]; onChanged: () => void }) {
  const [editing, setEditing] = createSignal(false);
  const [value, setValue] = createSignal("");
  const [secret, setSecret] = createSignal(false);
  const v = () => props.variable;
  const open = () => {
    setValue(v().secret ? "" : (v().value ?? ""));
    setSecret(v().secret);
    setEditing(true);
  };
  const act = async (f: () => Promise<unknown>) => {
    if (!(await props.run(f))) return;
    setEditing(false);
    props.onChanged();
  };
  const save = (e: SubmitEvent) => {
    e.preventDefault();
    void act(() => api.variables.update(v().key, { value: value(), secret: secret() }));
  };
  return (
    <li class="var">
      <div class="var-head">
        <code class="var-key">{v().key}</code>
        <Show when={v().secret}>
          <span class="badge">secret</span>
        </Show>
        <Show when={isAdmin() && !editing()}>
          <span class="actions">
            <button type="button" onClick={open}>
              {v().secret ? "Replace" : "Edit"}
            </button>
            <ConfirmButton label="Delete" question={`Delete ${v().key}?`} onConfirm={() => act(() => api.variables.remove(v().key))} />
          </span>
        </Show>
      </div>
      <Show
        when={editing()}
        fallback={
          <Show when={!v().secret} fallback={<span class="muted" aria-label="secret value hidden">••••••••</span>}>
            <pre class="var-value">{v().value}</pre>
          </Show>
        }
      >
        <form class="var-edit" onSubmit={save}>
          <label>
            {v().secret ? `New value for ${v().key}` : `Value of ${v().key}`}
            <textarea rows={3} class="mono" required={v().secret} value={value()} onInput={(e) => setValue(e.currentTarget.value)} autocomplete="off" />
          </label>
          <Show when={!v().secret}>
            <label class="check">
              <input type="checkbox" checked={secret()} onChange={(e) => setSecret(e.currentTarget.checked)} /> Secret from now on
            </label>
          </Show>
          <div class="actions">
            <button type="submit" class="primary">
              Save
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      </Show>
    </li>
  );
}
