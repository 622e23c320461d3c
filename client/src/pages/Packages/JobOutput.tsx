// Live output of a pip job, from the WebSocket /api/packages/jobs/:job/ws.
import { Show, createSignal, onCleanup } from "solid-js";
import { followJob } from "../../logstream.ts";
import { stripAnsi } from "../../lib/ansi.ts";

export default function JobOutput(props: { job: string; title: string; onEnd: () => void; onClose: () => void }) {
  const [text, setText] = createSignal("");
  const [done, setDone] = createSignal<string | null>(null);
  const [failed, setFailed] = createSignal(false);
  let pre!: HTMLPreElement;
  const stop = followJob(props.job, {
    onText: (t, reset) => {
      setText((s) => (reset ? "" : s) + stripAnsi(t));
      pre.scrollTop = pre.scrollHeight;
    },
    onEnd: (status) => {
      setFailed(status === "failed");
      setDone(status === "failed" ? "Failed: see pip's output above." : "Finished.");
      props.onEnd();
    },
    onLost: (message) => {
      setFailed(true);
      setDone(message);
    },
  });
  onCleanup(stop);
  return (
    <section class="card job" aria-labelledby="job-h">
      <div class="page-head">
        <h2 id="job-h" class="break">
          {props.title}
        </h2>
        <Show when={done()}>
          <button type="button" onClick={props.onClose}>
            Close
          </button>
        </Show>
      </div>
      <pre class="job-out" ref={pre} tabIndex={0} role="region" aria-label="pip output">
        {text()}
      </pre>
      <p role="status" class="small" classList={{ "error-text": failed(), "ok-text": !!done() && !failed() }}>
        {done() ?? "Running…"}
      </p>
    </section>
  );
}
