// Python packages in the venv of LIGHTFLOW_PYTHON_LIBS_DIR: list, install
// (pip's output streams live), uninstall.
import { For, Show, createSignal } from "solid-js";
import { api } from "../../api.ts";
import { useTitle } from "../../lib/title.ts";
import { createLoader } from "../../lib/loader.ts";
import Field, { FormError } from "../../components/Field.tsx";
import ConfirmButton from "../../components/ConfirmButton.tsx";
import JobOutput from "./JobOutput.tsx";
import type { PackageJob } from "../../types.ts";

export default function PackagesPage() {
  useTitle(() => "Packages");
  const pkgs = createLoader(api.packages.list);
  const [req, setReq] = createSignal("");
  const [error, setError] = createSignal("");
  const [job, setJob] = createSignal<{ id: PackageJob["job"]; title: string } | null>(null);

  const start = async (title: string, f: () => Promise<PackageJob>) => {
    try {
      const { job } = await f();
      setError("");
      setJob({ id: job, title });
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const install = (e: SubmitEvent) => {
    e.preventDefault();
    const r = req().trim();
    void start(`Installing ${r}`, () => api.packages.install(r)).then(() => setReq(""));
  };

  return (
    <section class="page">
      <h1>Python packages</h1>
      <p class="hint">Steps find these packages through PATH and PYTHONPATH. Requirements such as requests==2.32.3; no options, paths or URLs.</p>
      <form class="card row-form" onSubmit={install}>
        <Field label="Requirement">
          {(id, d) => (
            <input id={id} aria-describedby={d} class="mono" required placeholder="requests==2.32.3" value={req()} onInput={(e) => setReq(e.currentTarget.value)} />
          )}
        </Field>
        <button type="submit" class="primary">
          Install
        </button>
      </form>
      <FormError error={error() || pkgs.error()} />
      <Show when={job()} keyed>
        {(j) => <JobOutput job={j.id} title={j.title} onEnd={() => void pkgs.reload()} onClose={() => setJob(null)} />}
      </Show>
      <Show when={pkgs.data()} fallback={<p class="muted">Loading…</p>}>
        <div class="table-scroll">
          <table class="list">
            <thead>
              <tr>
                <th scope="col">Package</th>
                <th scope="col">Version</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              <For each={pkgs.data()} fallback={<tr><td colSpan={3} class="muted">No packages installed.</td></tr>}>
                {(p) => (
                  <tr>
                    <th scope="row">{p.name}</th>
                    <td class="mono">{p.version}</td>
                    <td>
                      <ConfirmButton
                        label="Uninstall"
                        question={`Uninstall ${p.name}?`}
                        onConfirm={() => start(`Uninstalling ${p.name}`, () => api.packages.uninstall(p.name))}
                      />
                    </td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </div>
      </Show>
    </section>
  );
}
