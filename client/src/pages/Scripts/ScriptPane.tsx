// One open script: the lazily loaded editor, Save (PUT raw body) with the
// Python syntax check shown beside it, and Delete.
import { Show, Suspense, createSignal, lazy, onCleanup } from "solid-js";
import { api } from "../../api.ts";
import { createPageData } from "../../lib/resource.ts";
import { createSubmit } from "../../lib/submit.ts";
import type { EditorHandle } from "../../components/CodeEditor.tsx";
import type { ScriptCheck } from "../../types.ts";
import ConfirmButton from "../../components/ConfirmButton.tsx";
import Field, { FormError } from "../../components/Field.tsx";
import { langOf } from "../../lib/lang.ts";

const CodeEditor = lazy(() => import("../../components/CodeEditor.tsx"));

export default function ScriptPane(props: {
  path: string;
  onDirty: (d: boolean) => void;
  onSaved: () => void;
  onDeleted: () => void;
  onRenamed: (to: string) => void;
}) {
  const content = createPageData(() => api.scripts.read(props.path));
  const [dirty, setDirty] = createSignal(false);
  // one error line for Save, Rename and Delete; only Save shows that it is busy
  const form = createSubmit();
  const [saving, setSaving] = createSignal(false);
  const [check, setCheck] = createSignal<ScriptCheck | null>(null);
  const [saved, setSaved] = createSignal("");
  const ed: { h?: EditorHandle } = {};
  const mark = (d: boolean) => (setDirty(d), props.onDirty(d));

  // Closing the tab with unsaved changes asks first.
  const guard = (e: BeforeUnloadEvent) => dirty() && e.preventDefault();
  window.addEventListener("beforeunload", guard);
  onCleanup(() => window.removeEventListener("beforeunload", guard));

  const save = async () => {
    const h = ed.h;
    if (!h || saving()) return;
    setSaving(true);
    await form.run(async () => {
      const r = await api.scripts.write(props.path, h.doc());
      mark(false);
      setCheck(r.check);
      setSaved(`Saved (${r.size} bytes).`);
      props.onSaved();
    });
    setSaving(false);
  };
  const [renaming, setRenaming] = createSignal(false);
  const [newName, setNewName] = createSignal(props.path);
  const rename = async (e: SubmitEvent) => {
    e.preventDefault();
    const to = newName().trim().replace(/^\/+/, "");
    if (to === props.path) return setRenaming(false);
    if (dirty() && !confirm("Rename without saving your changes?")) return;
    await form.run(async () => {
      await api.scripts.rename(props.path, to);
      mark(false);
      props.onRenamed(to);
    });
  };
  const remove = async () => {
    await form.run(async () => {
      await api.scripts.remove(props.path);
      props.onDeleted();
    });
  };

  return (
    <div class="script-pane">
      <div class="page-head">
        <h2 class="break mono">
          {props.path}
          <Show when={dirty()}>
            <span class="muted"> (unsaved)</span>
          </Show>
        </h2>
        <div class="actions">
          <button type="button" class="primary" disabled={saving() || !dirty()} onClick={() => void save()}>
            {saving() ? "Saving…" : "Save"}
          </button>
          <button type="button" aria-expanded={renaming()} onClick={() => setRenaming(!renaming())}>
            Rename
          </button>
          <ConfirmButton label="Delete" question={`Delete ${props.path}?`} onConfirm={remove} />
        </div>
      </div>
      <Show when={renaming()}>
        <form class="row-form rename" onSubmit={rename}>
          <Field label="New path">
            {(id) => <input id={id} class="mono" required value={newName()} onInput={(e) => setNewName(e.currentTarget.value)} />}
          </Field>
          <button type="submit">Rename</button>
        </form>
      </Show>
      <FormError error={form.error() || content.error()} />
      <Show when={check()}>
        {(c) => (
          <p class="check-error" role="alert">
            Saved, but Python reports {c().line !== null ? `line ${c().line}: ` : ""}
            {c().message}{" "}
            <Show when={c().line}>
              {(line) => (
                <button type="button" class="link-btn" onClick={() => ed.h?.gotoLine(line())}>
                  Go to line {line()}
                </button>
              )}
            </Show>
          </p>
        )}
      </Show>
      <Show when={!check() && saved() && !dirty()}>
        <p class="ok-text" role="status">
          {saved()}
        </p>
      </Show>
      <Show when={content.data() !== undefined} fallback={<p class="muted">Loading…</p>}>
        <Suspense fallback={<p class="muted">Loading the editor…</p>}>
          <CodeEditor
            doc={content.data() ?? ""}
            lang={langOf(props.path, content.data() ?? "")}
            label={`Contents of ${props.path}`}
            onEdit={() => dirty() || mark(true)}
            onSave={() => void save()}
            onReady={(h) => (ed.h = h)}
          />
        </Suspense>
      </Show>
      <p class="hint">Ctrl+S (⌘S) saves. A file starting with #! is saved executable.</p>
    </div>
  );
}
