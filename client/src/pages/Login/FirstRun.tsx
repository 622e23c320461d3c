// "First run? Send admin setup link": shown only while the server says no
// admin is active yet (GET /api/auth/state).
import { Show } from "solid-js";
import { api } from "../../api.ts";
import { createPageData } from "../../lib/resource.ts";
import { createSubmit } from "../../lib/submit.ts";

export default function FirstRun() {
  const state = createPageData(api.auth.state);
  const link = createSubmit();
  const send = async () => {
    const sent = await link.run(async () => {
      await api.auth.setupLink();
      return "A setup link was sent to the admin address, and printed in the server log.";
    });
    if (!sent) void state.reload();
  };
  return (
    <Show when={state.data()?.first_run}>
      <div class="card first-run">
        <p>First start: no admin has set a password yet.</p>
        <button type="button" onClick={() => void send()}>
          First run? Send admin setup link
        </button>
        <p role="status" class="small">
          {link.done() || link.error()}
        </p>
      </div>
    </Show>
  );
}
