// Your own account: password, two-factor, API tokens, failure alerts.
import { Show } from "solid-js";
import { api } from "../../api.ts";
import { me, setMe } from "../../session.ts";
import { useTitle } from "../../lib/title.ts";
import { notifyError } from "../../lib/notify.ts";
import Switch from "../../components/Switch.tsx";
import PasswordForm from "./PasswordForm.tsx";
import TotpPanel from "./TotpPanel.tsx";
import TokensPanel from "./TokensPanel.tsx";

export default function ProfilePage() {
  useTitle(() => "Profile");
  const alerts = async (on: boolean) => {
    const before = me()!;
    setMe({ ...before, alerts: on });
    try {
      await api.me.patch({ alerts: on });
    } catch (e) {
      setMe(before);
      notifyError(e);
    }
  };
  return (
    <section class="page profile">
      <h1>Profile</h1>
      <Show when={me()}>
        {(m) => (
          <>
            <p>
              Signed in as <strong class="break">{m().email}</strong> ({m().role}).
            </p>
            <div class="cards">
              <div>
                <section class="card" aria-labelledby="alerts-h">
                  <h2 id="alerts-h">Failure alerts</h2>
                  <Switch checked={m().alerts} label="E-mail me when a run fails" showText onChange={(on) => void alerts(on)} />
                </section>
                <PasswordForm />
              </div>
              <div>
                <TotpPanel />
                <TokensPanel />
              </div>
            </div>
          </>
        )}
      </Show>
    </section>
  );
}
