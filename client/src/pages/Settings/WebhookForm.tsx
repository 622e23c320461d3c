// The alert webhook: where failed, recovered and did-not-start alerts are
// POSTed as JSON, besides e-mail. Empty turns it off.
import { Show, createSignal } from "solid-js";
import { api, ApiError } from "../../api.ts";
import { createLoader } from "../../lib/loader.ts";
import Field, { FormError } from "../../components/Field.tsx";

export default function WebhookForm() {
  const [url, setUrl] = createSignal("");
  const [error, setError] = createSignal<ApiError | null>(null);
  const [done, setDone] = createSignal("");
  const [busy, setBusy] = createSignal(false);
  const settings = createLoader(async () => {
    const s = await api.settings.get();
    setUrl(s.alert_webhook_url ?? "");
    return s;
  });
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const s = await api.settings.put({ alert_webhook_url: url().trim() || null });
      settings.set(s);
      setUrl(s.alert_webhook_url ?? "");
      setError(null);
      setDone(s.alert_webhook_url ? "Saved: alerts go to this URL too." : "Saved: no webhook.");
    } catch (err) {
      setDone("");
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };
  const fieldErr = () => (error()?.field === "alert_webhook_url" ? error()?.message : undefined);
  return (
    <form class="card" onSubmit={submit} aria-labelledby="hook-h" novalidate>
      <h2 id="hook-h">Alert webhook</h2>
      <FormError error={settings.error() || (error() && !fieldErr() ? error()?.message : undefined)} />
      <Show when={settings.data()} fallback={<p class="muted">{settings.loading() ? "Loading…" : ""}</p>}>
        <Field
          label="Webhook URL"
          error={fieldErr()}
          hint={
            <>
              Lightflow POSTs each alert here as JSON (<code>{'{"event", "task", "run_id", "url", …}'}</code>): failed, recovered, did not
              start. Empty: no webhook.
            </>
          }
        >
          {(id) => (
            <input
              id={id}
              type="url"
              inputmode="url"
              autocomplete="off"
              spellcheck={false}
              placeholder="https://chat.example.com/hooks/…"
              value={url()}
              onInput={(e) => setUrl(e.currentTarget.value)}
            />
          )}
        </Field>
        <button type="submit" class="primary" disabled={busy()}>
          {busy() ? "Saving…" : "Save"}
        </button>
      </Show>
      <p class="ok-text" role="status">
        {done()}
      </p>
    </form>
  );
}
