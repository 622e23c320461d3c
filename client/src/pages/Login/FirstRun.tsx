// "First run? Send admin setup link": shown only while the server says no
// admin is active yet (GET /api/auth/state).
import { Show, createSignal } from "solid-js";
import { api } from "../../api.ts";
import { createLoader } from "../../lib/loader.ts";

export default function FirstRun() {
  const state = createLoader(api.auth.state);
  const [msg, setMsg] = createSignal("");
  const send = async () => {
    try {
      await api.auth.setupLink();
      setMsg("A setup link was sent to the admin address, and printed in the server log.");
    } catch (e) {
      setMsg((e as Error).message);
      void state.reload();
    }
  };
  return (
    <Show when={state.data()?.first_run}>
      <div class="card first-run">
        <p>First start: no admin has set a password yet.</p>
        <button type="button" onClick={() => void send()}>
          First run? Send admin setup link
        </button>
        <p role="status" class="small">
          {msg()}
        </p>
      </div>
    </Show>
  );
}
