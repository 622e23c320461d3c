// Sign in with e-mail and password; when the server answers 401 with
// totp_required, ask for the code and send again. Also: the first-run setup
// link and "forgot password".
import { Show, createSignal } from "solid-js";
import { api, ApiError } from "../../api.ts";
import { setMe } from "../../session.ts";
import { useTitle } from "../../lib/title.ts";
import { createSubmit } from "../../lib/submit.ts";
import Field, { FormError } from "../../components/Field.tsx";
import FirstRun from "./FirstRun.tsx";
import ForgotForm from "./ForgotForm.tsx";

export default function LoginPage() {
  useTitle(() => "Sign in");
  const [email, setEmail] = createSignal("");
  const [password, setPassword] = createSignal("");
  const [totp, setTotp] = createSignal("");
  const [needTotp, setNeedTotp] = createSignal(false);
  const form = createSubmit();
  const [forgot, setForgot] = createSignal(false);
  let codeInput: HTMLInputElement | undefined;

  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    void form.run(async () => {
      try {
        const { user } = await api.auth.login({ email: email().trim(), password: password(), totp: needTotp() ? totp().trim() : undefined });
        setMe(user); // App then leaves this page for ?next=
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 401 && err.body.totp_required === true)) throw err;
        // The password was right: ask for the code (its first asking is no error).
        const again = needTotp();
        setNeedTotp(true);
        queueMicrotask(() => codeInput?.focus());
        if (again) throw err;
      }
    });
  };

  return (
    <section class="page narrow-page login">
      <h1 class="login-brand">
        <span class="brand-mark" aria-hidden="true" /> Lightflow
      </h1>
      <form class="card" onSubmit={submit} aria-label="Sign in">
        <FormError error={form.error()} />
        <Field label="E-mail">
          {(id) => (
            <input id={id} type="email" autocomplete="username" required value={email()} onInput={(e) => setEmail(e.currentTarget.value)} />
          )}
        </Field>
        <Field label="Password">
          {(id) => (
            <input id={id} type="password" autocomplete="current-password" required value={password()} onInput={(e) => setPassword(e.currentTarget.value)} />
          )}
        </Field>
        <Show when={needTotp()}>
          <Field label="Code from your authenticator app">
            {(id) => (
              <input
                id={id}
                ref={codeInput}
                inputmode="numeric"
                autocomplete="one-time-code"
                maxLength={6}
                required
                class="narrow mono"
                value={totp()}
                onInput={(e) => setTotp(e.currentTarget.value)}
              />
            )}
          </Field>
        </Show>
        <button type="submit" class="primary wide-btn" disabled={form.busy()}>
          {form.busy() ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <p>
        <button type="button" class="link-btn" aria-expanded={forgot()} onClick={() => setForgot(!forgot())}>
          Forgot password?
        </button>
      </p>
      <Show when={forgot()}>
        <ForgotForm email={email()} />
      </Show>
      <FirstRun />
    </section>
  );
}
