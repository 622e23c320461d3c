// Version, commit, build date, start time and timezone of the server.
import { Show } from "solid-js";
import { about, me } from "../../session.ts";
import { Link } from "../../router.tsx";
import { useTitle } from "../../lib/title.ts";
import { fmtTime, relative } from "../../lib/time.ts";

export default function AboutPage() {
  useTitle(() => "About");
  return (
    <section class="page">
      <h1>About Lightflow</h1>
      <p>A small, event-driven task scheduler.</p>
      <Show when={about()} fallback={<p class="muted">The server did not answer.</p>}>
        {(a) => (
          <dl class="meta">
            <dt>Version</dt>
            <dd>{a().version}</dd>
            <dt>Commit</dt>
            <dd class="mono break">{a().commit || "—"}</dd>
            <dt>Built</dt>
            <dd>{a().build_date || "—"}</dd>
            <dt>Running since</dt>
            <dd>
              {fmtTime(a().started_at)} <span class="muted">({relative(a().started_at)})</span>
            </dd>
            <dt>Timezone</dt>
            <dd>{a().timezone}</dd>
          </dl>
        )}
      </Show>
      <Show when={me() === null}>
        <p>
          <Link href="/login">Sign in</Link>
        </p>
      </Show>
    </section>
  );
}
