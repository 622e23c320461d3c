// /set-password#token=…: the link from a setup, invitation or reset mail.
// The token travels in the fragment so it never reaches proxy logs; we take
// it out of the address bar at once and keep it in memory only. Setting the
// password signs in (the server answers with a session), so we go on to the
// tasks; a user with a second factor is sent to sign in with their code.
import { Show, createSignal } from "solid-js";
import { api } from "../../api.ts";
import { Link, navigate } from "../../router.tsx";
import { setMe } from "../../session.ts";
import { useTitle } from "../../lib/title.ts";
import { createSubmit } from "../../lib/submit.ts";
import Field, { FormError } from "../../components/Field.tsx";
import { PASSWORD_MIN_LENGTH } from "../../../../server/schema/limits.ts";

export default function SetPasswordPage() {
  useTitle(() => "Set your password");
  const token = new URLSearchParams(location.hash.slice(1)).get("token") ?? "";
  if (location.hash) history.replaceState(null, "", location.pathname);
  const [password, setPassword] = createSignal("");
  const [again, setAgain] = createSignal("");
  const form = createSubmit();
  const [done, setDone] = createSignal(false);
  const mismatch = () => (again() && again() !== password() ? "The two passwords differ." : undefined);
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    if (mismatch()) return;
    if (password().length < PASSWORD_MIN_LENGTH) return form.setError(`Use at least ${PASSWORD_MIN_LENGTH} characters.`);
    void form.run(async () => {
      const { user, totp_required } = await api.auth.setPassword(token, password());
      setDone(true);
      if (totp_required) return; // the link proves the mailbox only: sign in with the code
      // Setting the password also signed us in: go on to the tasks.
      setMe(user);
      navigate("/", { replace: true });
    });
  };
  return (
    <section class="page narrow-page">
      <h1>Set your password</h1>
      <Show when={token} fallback={<p class="form-error">This link is incomplete. Open the link from the e-mail again, or ask for a new one.</p>}>
        <Show
          when={!done()}
          fallback={
            <p role="status">
              Your password is set. <Link href="/login">Sign in</Link> with it (and the code from your authenticator app, if you use one).
            </p>
          }
        >
          <form class="card" onSubmit={submit}>
            <FormError error={form.error()} />
            <Field label="New password" hint={`At least ${PASSWORD_MIN_LENGTH} characters.`}>
              {(id) => (
                <input id={id} type="password" autocomplete="new-password" minLength={PASSWORD_MIN_LENGTH} required value={password()} onInput={(e) => setPassword(e.currentTarget.value)} />
              )}
            </Field>
            <Field label="Again" error={mismatch()}>
              {(id) => (
                <input id={id} type="password" autocomplete="new-password" required value={again()} onInput={(e) => setAgain(e.currentTarget.value)} />
              )}
            </Field>
            <button type="submit" class="primary" disabled={form.busy()}>
              Set password
            </button>
          </form>
        </Show>
      </Show>
    </section>
  );
}
