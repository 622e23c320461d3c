// API tokens for curl: named, shown once at creation, revocable.
import { For, Show, createSignal } from "solid-js";
import { api } from "../../api.ts";
import type { NewApiToken } from "../../types.ts";
import { createPageData } from "../../lib/resource.ts";
import { createSubmit } from "../../lib/submit.ts";
import { fmtTime, relative } from "../../lib/time.ts";
import Field, { FormError } from "../../components/Field.tsx";
import ConfirmButton from "../../components/ConfirmButton.tsx";
import CopyButton from "../../components/CopyButton.tsx";

export default function TokensPanel() {
  const tokens = createPageData(api.me.tokens);
  const [name, setName] = createSignal("");
  const [fresh, setFresh] = createSignal<NewApiToken | null>(null);
  const form = createSubmit();
  const act = async (f: () => Promise<unknown>) => {
    if (await form.run(f)) await tokens.reload();
  };
  const create = (e: SubmitEvent) => {
    e.preventDefault();
    void act(async () => {
      setFresh(await api.me.createToken(name().trim()));
      setName("");
    });
  };
  return (
    <section class="card" aria-labelledby="tok-h">
      <h2 id="tok-h">API tokens</h2>
      <p class="hint">
        For scripts and curl: <code>Authorization: Bearer &lt;token&gt;</code>. A token acts with your role.
      </p>
      <FormError error={form.error() || tokens.error()} />
      <Show when={fresh()}>
        {(t) => (
          <div class="token-once" role="status">
            <p>
              Token <strong>{t().name}</strong> created. Copy it now: it will not be shown again.
            </p>
            <p>
              <code class="secret break">{t().token}</code> <CopyButton text={t().token} />
            </p>
            <button type="button" onClick={() => setFresh(null)}>
              Done
            </button>
          </div>
        )}
      </Show>
      <ul class="plain-list">
        <For each={tokens.data() ?? []} fallback={<li class="muted">No tokens.</li>}>
          {(t) => (
            <li>
              <strong>{t.name}</strong>{" "}
              <span class="muted small">
                created {fmtTime(t.created_at)}; {t.last_used_at ? `last used ${relative(t.last_used_at)}` : "never used"}
              </span>{" "}
              <ConfirmButton label="Revoke" question={`Revoke ${t.name}?`} onConfirm={() => act(() => api.me.revokeToken(t.id))} />
            </li>
          )}
        </For>
      </ul>
      <form class="row-form" onSubmit={create}>
        <Field label="New token name">
          {(id) => <input id={id} required placeholder="backup-script" value={name()} onInput={(e) => setName(e.currentTarget.value)} />}
        </Field>
        <button type="submit">Create token</button>
      </form>
    </section>
  );
}
