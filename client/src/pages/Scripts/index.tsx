// Scripts: the file tree of LIGHTFLOW_SCRIPTS_DIR and an editor for the
// chosen file (?file=path). New files are created empty at once.
import { Show, createSignal } from "solid-js";
import { api } from "../../api.ts";
import { loc, setQuery } from "../../router.tsx";
import { useTitle } from "../../lib/title.ts";
import { createPageData } from "../../lib/resource.ts";
import { createSubmit } from "../../lib/submit.ts";
import Field, { FormError } from "../../components/Field.tsx";
import FileTree from "../../components/FileTree.tsx";
import ScriptPane from "./ScriptPane.tsx";

export default function ScriptsPage() {
  useTitle(() => "Scripts");
  const files = createPageData(api.scripts.list);
  const [dirty, setDirty] = createSignal(false);
  const [newPath, setNewPath] = createSignal("");
  const form = createSubmit();
  const selected = () => loc().query.get("file") ?? "";

  const open = (path: string) => {
    if (path === selected()) return;
    if (dirty() && !confirm("Discard the unsaved changes?")) return;
    setDirty(false);
    setQuery({ file: path || null });
  };
  const create = async (e: SubmitEvent) => {
    e.preventDefault();
    const path = newPath().trim().replace(/^\/+/, "");
    // PUT would replace an existing file with an empty one: refuse before asking.
    if (files.data()?.some((f) => f.path === path)) return form.setError(`${path} already exists.`);
    const made = await form.run(async () => {
      await api.scripts.write(path, "");
      setNewPath("");
    });
    if (!made) return;
    await files.reload();
    open(path);
  };

  return (
    <section class="page wide scripts">
      <h1>Scripts</h1>
      <FormError error={files.error()} />
      <div class="scripts-layout">
        <aside class="scripts-side">
          <Show when={files.data()} fallback={<p class="muted">Loading…</p>}>
            {(fs) => (
              <Show when={fs().length} fallback={<p class="muted">No scripts yet.</p>}>
                <FileTree files={fs()} selected={selected()} onOpen={open} />
              </Show>
            )}
          </Show>
          <form class="new-file" onSubmit={create}>
            <FormError error={form.error()} />
            <Field label="New file" hint="A path such as backup/run.py">
              {(id) => (
                <input id={id} class="mono" required value={newPath()} onInput={(e) => setNewPath(e.currentTarget.value)} />
              )}
            </Field>
            <button type="submit">Create</button>
          </form>
        </aside>
        <Show when={selected()} keyed fallback={<p class="muted">Choose a file, or create one.</p>}>
          {(path) => (
            <ScriptPane
              path={path}
              onDirty={setDirty}
              onSaved={() => void files.reload()}
              onDeleted={() => (setDirty(false), setQuery({ file: null }), void files.reload())}
              onRenamed={(to) => (setDirty(false), setQuery({ file: to }, { replace: true }), void files.reload())}
            />
          )}
        </Show>
      </div>
    </section>
  );
}
