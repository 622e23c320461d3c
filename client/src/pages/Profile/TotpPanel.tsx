// Two-factor sign-in: start enrolment with the password (a session alone
// cannot set a factor), show the QR code (drawn here) and the secret, confirm
// with a code, or turn it off with a code.
import { Show, createSignal } from "solid-js";
import { api } from "../../api.ts";
import { me, refreshMe } from "../../session.ts";
import { createSubmit } from "../../lib/submit.ts";
import type { TotpEnrolment } from "../../types.ts";
import Field, { FormError } from "../../components/Field.tsx";
import QrCode from "../../components/QrCode.tsx";
import CopyButton from "../../components/CopyButton.tsx";

export default function TotpPanel() {
  const [enrol, setEnrol] = createSignal<TotpEnrolment | null>(null);
  const [code, setCode] = createSignal("");
  const [asking, setAsking] = createSignal(false);
  const [password, setPassword] = createSignal("");
  const form = createSubmit();
  const start = (e: SubmitEvent) => {
    e.preventDefault();
    void form.run(async () => {
      setEnrol(await api.me.totpStart({ password: password() }));
      setPassword("");
      setAsking(false);
    });
  };
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    void form.run(async () => {
      if (me()?.totp_enabled) await api.me.totpDisable(code().trim());
      else await api.me.totpConfirm(code().trim());
      setEnrol(null);
      setCode("");
      await refreshMe();
    });
  };
  const codeField = (label: string) => (
    <Field label={label}>
      {(id) => (
        <input
          id={id}
          inputmode="numeric"
          autocomplete="one-time-code"
          pattern="[0-9]{6}"
          maxLength={6}
          required
          class="narrow mono"
          value={code()}
          onInput={(e) => setCode(e.currentTarget.value)}
        />
      )}
    </Field>
  );
  return (
    <section class="card" aria-labelledby="totp-h">
      <h2 id="totp-h">Two-factor sign-in</h2>
      <FormError error={form.error()} />
      <Show
        when={me()?.totp_enabled}
        fallback={
          <Show
            when={enrol()}
            fallback={
              <Show when={asking()} fallback={<button type="button" onClick={() => setAsking(true)}>Set up two-factor sign-in</button>}>
                <form onSubmit={start}>
                  <Field label="Your password" hint="To be sure it is you before a second factor is set.">
                    {(id) => (
                      <input id={id} type="password" autocomplete="current-password" required value={password()} onInput={(e) => setPassword(e.currentTarget.value)} />
                    )}
                  </Field>
                  <button type="submit" class="primary">
                    Continue
                  </button>
                </form>
              </Show>
            }
          >
            {(en) => (
              <form onSubmit={submit} class="totp-enrol">
                <p>Scan this code with an authenticator app, or enter the secret by hand.</p>
                <QrCode text={en().uri} label="QR code of the two-factor secret" />
                <p>
                  Secret: <code class="secret">{en().secret.replace(/(.{4})/g, "$1 ").trim()}</code> <CopyButton text={en().secret} />
                </p>
                <p class="small">
                  On this phone? <a href={en().uri}>Open in the authenticator app</a>.
                </p>
                {codeField("Code from the app")}
                <button type="submit" class="primary">
                  Turn on
                </button>
              </form>
            )}
          </Show>
        }
      >
        <form onSubmit={submit}>
          <p>Two-factor sign-in is on. To turn it off, enter a current code.</p>
          {codeField("Current code")}
          <button type="submit" class="danger">
            Turn off
          </button>
        </form>
      </Show>
    </section>
  );
}
