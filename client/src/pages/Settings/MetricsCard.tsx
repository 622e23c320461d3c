// How Prometheus reads Lightflow's metrics.
import CopyButton from "../../components/CopyButton.tsx";
import { downloads } from "../../api.ts";

export default function MetricsCard() {
  const url = () => location.origin + downloads.metrics;
  const config = () =>
    [
      "scrape_configs:",
      "  - job_name: lightflow",
      `    scheme: ${location.protocol.replace(":", "")}`,
      "    metrics_path: /api/metrics",
      "    authorization:",
      "      credentials: <LIGHTFLOW_METRICS_TOKEN>",
      "    static_configs:",
      `      - targets: ["${location.host}"]`,
    ].join("\n");
  return (
    <section class="card" aria-labelledby="metrics-h">
      <h2 id="metrics-h">Prometheus metrics</h2>
      <p>
        <code class="break">{url()}</code> <CopyButton text={url()} label="Copy URL" />
      </p>
      <p class="hint">
        Readable by a signed-in admin, or by a scraper that sends <code>Authorization: Bearer</code> with the token set in the server's{" "}
        <code>LIGHTFLOW_METRICS_TOKEN</code> (without it, only admins can read them). Run counts, durations, queues and the last success of
        each task.
      </p>
      {/* it scrolls sideways on a phone, so the keyboard must reach it; a bare <pre> may not carry a label, a region may */}
      <pre class="snippet" tabIndex={0} role="region" aria-label="Prometheus scrape configuration">
        {config()}
      </pre>
    </section>
  );
}
