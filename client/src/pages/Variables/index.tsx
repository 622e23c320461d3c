// Variables: injected as environment variables into every step. A secret's
// value is write-only: it is never shown, only replaced.
import { For, Show } from "solid-js";
import { api } from "../../api.ts";
import { isAdmin } from "../../session.ts";
import { useTitle } from "../../lib/title.ts";
import { createPageData } from "../../lib/resource.ts";
import { createSubmit } from "../../lib/submit.ts";
import { FormError } from "../../components/Field.tsx";
import VariableRow from "./VariableRow.tsx";
import NewVariable from "./NewVariable.tsx";

export default function VariablesPage() {
  useTitle(() => "Variables");
  const vars = createPageData(api.variables.list);
  /** the rows' Save and Delete */
  const rows = createSubmit();
  return (
    <section class="page">
      <h1>Variables</h1>
      <p class="hint">
        Every variable reaches every step as an environment variable. Secret values are never shown again after saving, and are
        replaced by *** in logs.
      </p>
      <FormError error={rows.error() || vars.error()} />
      <Show when={vars.data()} fallback={<p class="muted">Loading…</p>}>
        <ul class="var-list">
          <For each={vars.data()} fallback={<li class="muted">No variables yet.</li>}>
            {(v) => <VariableRow variable={v} run={rows.run} onChanged={() => void vars.reload()} />}
          </For>
        </ul>
      </Show>
      <Show when={isAdmin()}>
        <NewVariable onCreated={() => void vars.reload()} />
      </Show>
    </section>
  );
}
