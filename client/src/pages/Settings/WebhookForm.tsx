// The alert webhook: where failed, recovered and did-not-start alerts are
// POSTed as JSON, besides e-mail. Empty turns it off.
import { Show, createSignal } from "solid-js";
import { api } from "../../api.ts";
import { createPageData } from "../../lib/resource.ts";
import { createSubmit } from "../../lib/submit.ts";
import Field, { FormError } from "../../components/Field.tsx";

export default function WebhookForm() {
  const [url, setUrl] = createSignal("");
  const form = createSubmit(["alert_webhook_url"]);
  const settings = createPageData(async () => {
    const s = await api.settings.get();
    setUrl(s.alert_webhook_url ?? "");
    return s;
  });
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    void form.run(async () => {
      const s = await api.settings.put({ alert_webhook_url: url().trim() || null });
      settings.set(s);
      setUrl(s.alert_webhook_url ?? "");
      return s.alert_webhook_url ? "Saved: alerts go to this URL too." : "Saved: no webhook.";
    });
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="hook-h" novalidate>
      <h2 id="hook-h">Alert webhook</h2>
      <FormError error={settings.error() || form.error()} />
      <Show when={settings.data()} fallback={<p class="muted">{settings.loading() ? "Loading…" : ""}</p>}>
        <Field
          label="Webhook URL"
          error={form.field("alert_webhook_url")}
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
        <button type="submit" class="primary" disabled={form.busy()}>
          {form.busy() ? "Saving…" : "Save"}
        </button>
      </Show>
      <p class="ok-text" role="status">
        {form.done()}
      </p>
    </form>
  );
}
