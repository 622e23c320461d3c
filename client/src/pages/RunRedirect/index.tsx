// /runs/:id (the link in failure e-mails): finds the run's task and shows the
// run on the task page.
import { createSignal, Show } from "solid-js";
import { api } from "../../api.ts";
import { navigate } from "../../router.tsx";
import { runHref } from "../../components/StepBox.tsx";

export default function RunRedirect(props: { params: Record<string, string> }) {
  const [error, setError] = createSignal("");
  api.runs.get(Number(props.params.id)).then(
    (r) => navigate(runHref(r, Number(new URLSearchParams(location.search).get("step")) || undefined), { replace: true }),
    (e: Error) => setError(e.message),
  );
  return (
    <section class="page">
      <Show when={error()} fallback={<p class="muted">Opening run {props.params.id}…</p>}>
        <p class="form-error" role="alert">
          {error()}
        </p>
      </Show>
    </section>
  );
}
