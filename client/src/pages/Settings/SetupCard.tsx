// Tasks as code. Export downloads pools, variables (secrets by name only) and
// tasks as one JSON file. Import reads such a file in the browser, asks the
// server what it would change (a dry run), and applies it only on "Apply".
// Import never deletes anything.
import { Show, createSignal } from "solid-js";
import { api, downloads } from "../../api.ts";
import type { ImportResult } from "../../types.ts";
import { createSubmit } from "../../lib/submit.ts";
import { FormError } from "../../components/Field.tsx";
import ImportChanges, { summary } from "./ImportChanges.tsx";

/** The file as JSON, or a sentence saying why not. */
async function readJson(file: File): Promise<{ json: unknown } | { error: string }> {
  if (file.size > 1024 * 1024) return { error: `${file.name} is larger than 1 MiB, the most the server takes.` };
  try {
    return { json: JSON.parse(await file.text()) };
  } catch {
    return { error: `${file.name} is not a JSON file (a Lightflow export is).` };
  }
}

export default function SetupCard() {
  const [file, setFile] = createSignal<{ name: string; json: unknown } | null>(null);
  const [plan, setPlan] = createSignal<ImportResult | null>(null);
  const form = createSubmit();
  const pick = async (input: HTMLInputElement) => {
    setPlan(null);
    setFile(null);
    form.setError("");
    const f = input.files?.[0];
    input.value = ""; // the same file can be chosen again (after editing it)
    if (!f) return;
    const read = await readJson(f);
    if ("error" in read) return form.setError(read.error);
    setFile({ name: f.name, json: read.json });
    await form.run(async () => void setPlan(await api.importSetup(read.json, true)));
  };
  const apply = () =>
    form.run(async () => {
      const f = file();
      if (f) setPlan(await api.importSetup(f.json, false));
    });
  const changes = () => plan()?.changes.filter((c) => c.action === "create" || c.action === "update").length ?? 0;

  return (
    <section class="card" aria-labelledby="setup-h">
      <h2 id="setup-h">Tasks as code</h2>
      <p class="hint">
        One readable JSON file with the pools, the variables (secrets by name only, never their value) and the tasks: keep it in git, or
        copy a setup to another server.
      </p>
      <p>
        <a class="button" href={downloads.export} download="lightflow-setup.json">
          Export
        </a>
      </p>
      <h3>Import</h3>
      <p class="hint">Shows what the file would change first. An import creates and updates; it never deletes.</p>
      <div class="field">
        <label for="import-file">Setup file to import</label>
        <input id="import-file" type="file" accept=".json,application/json" disabled={form.busy()} onChange={(e) => void pick(e.currentTarget)} />
      </div>
      <FormError error={form.error()} />
      <Show when={plan()}>
        {(p) => (
          <div class="import-plan">
            <h4>{p().dry_run ? `What importing ${file()?.name ?? "the file"} would do` : `Imported ${file()?.name ?? "the file"}`}</h4>
            <p role="status">{summary(p())}.</p>
            <ImportChanges result={p()} />
            <Show when={p().dry_run}>
              <Show when={changes()} fallback={<p class="muted">Nothing to change: the file matches this server.</p>}>
                <button type="button" class="primary" disabled={form.busy()} onClick={() => void apply()}>
                  {form.busy() ? "Applying…" : `Apply ${changes()} change${changes() === 1 ? "" : "s"}`}
                </button>
              </Show>
            </Show>
          </div>
        )}
      </Show>
    </section>
  );
}
