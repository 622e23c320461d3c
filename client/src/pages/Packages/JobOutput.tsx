// Live output of a pip job, from the WebSocket /api/packages/jobs/:job.
import { Show, createSignal, onCleanup } from "solid-js";
import { followJob } from "../../logstream.ts";
import { stripAnsi } from "../../lib/ansi.ts";

export default function JobOutput(props: { job: string | number; title: string; onEnd: () => void; onClose: () => void }) {
  const [text, setText] = createSignal("");
  const [done, setDone] = createSignal<string | null>(null);
  let pre!: HTMLPreElement;
  const stop = followJob(
    props.job,
    (t) => {
      setText((s) => s + stripAnsi(t));
      pre.scrollTop = pre.scrollHeight;
    },
    (info) => {
      const code = info.exit_code;
      const failed = info.ok === false || (typeof code === "number" && code !== 0) || info.status === "failed";
      setDone(failed ? `Failed${typeof code === "number" ? ` (exit ${code})` : ""}.` : "Finished.");
      props.onEnd();
    },
  );
  onCleanup(stop);
  return (
    <section class="card job" aria-labelledby="job-h">
      <div class="page-head">
        <h2 id="job-h">{props.title}</h2>
        <Show when={done()}>
          <button type="button" onClick={props.onClose}>
            Close
          </button>
        </Show>
      </div>
      <pre class="job-out" ref={pre} tabIndex={0} aria-label="pip output">
        {text()}
      </pre>
      <p role="status" class="small">
        {done() ?? "Running…"}
      </p>
    </section>
  );
}
