// Python packages in the venv of LIGHTFLOW_PYTHON_LIBS_DIR: list, install
// (pip's output streams live), uninstall, and the recent jobs (kept by the
// server), so a job started before a reload can be watched again. On a
// cluster every node runs its own job: each is listed with its node.
import { For, Show, createSignal } from "solid-js";
import { api } from "../../api.ts";
import { useTitle } from "../../lib/title.ts";
import { createPageData } from "../../lib/resource.ts";
import { createSubmit } from "../../lib/submit.ts";
import Field, { FormError } from "../../components/Field.tsx";
import ConfirmButton from "../../components/ConfirmButton.tsx";
import JobOutput from "./JobOutput.tsx";
import type { PackageJob, PackageJobSummary } from "../../types.ts";

const titleOf = (j: PackageJobSummary) => `${j.action === "install" ? "Installing" : "Uninstalling"} ${j.requirement}`;

export default function PackagesPage() {
  useTitle(() => "Packages");
  const pkgs = createPageData(api.packages.list);
  const [req, setReq] = createSignal("");
  const form = createSubmit(["requirement"]);
  const [job, setJob] = createSignal<{ id: string; title: string } | null>(null);
  const jobs = createPageData(async () => {
    const list = await api.packages.jobs();
    // Reopened the page while a job runs: watch it again.
    const live = list.find((j) => j.status === "running" || j.status === "queued");
    if (live && !job()) setJob({ id: live.job, title: titleOf(live) });
    return list;
  });

  const start = (title: string, f: () => Promise<PackageJob>) =>
    form.run(async () => {
      const { job } = await f();
      setJob({ id: job, title });
      void jobs.reload();
    });
  const install = async (e: SubmitEvent) => {
    e.preventDefault();
    const r = req().trim();
    if (await start(`Installing ${r}`, () => api.packages.install(r))) setReq("");
  };

  return (
    <section class="page">
      <h1>Python packages</h1>
      <p class="hint">Steps find these packages through PATH and PYTHONPATH. Requirements such as requests==2.32.3; no options, paths or URLs.</p>
      <form class="card row-form" onSubmit={install}>
        <Field label="Requirement" error={form.field("requirement")}>
          {(id) => (
            <input id={id} class="mono" required placeholder="requests==2.32.3" value={req()} onInput={(e) => setReq(e.currentTarget.value)} />
          )}
        </Field>
        <button type="submit" class="primary">
          Install
        </button>
      </form>
      <FormError error={form.error() || pkgs.error()} />
      <Show when={job()} keyed>
        {(j) => (
          <JobOutput
            job={j.id}
            title={j.title}
            onEnd={() => (void pkgs.reload(), void jobs.reload())}
            onClose={() => setJob(null)}
          />
        )}
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
                      <Show when={p.name.toLowerCase() !== "pip"}>
                        <ConfirmButton
                          label="Uninstall"
                          question={`Uninstall ${p.name}?`}
                          onConfirm={() => void start(`Uninstalling ${p.name}`, () => api.packages.uninstall(p.name))}
                        />
                      </Show>
                    </td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </div>
      </Show>
      <Show when={jobs.data()?.length}>
        <h2>Recent jobs</h2>
        <ul class="plain-list">
          <For each={jobs.data()}>
            {(j) => (
              <li class="job-row">
                <span class={`badge b-${j.status === "queued" ? "pending" : j.status}`}>{j.status}</span>{" "}
                <span class="break">{titleOf(j)}</span> <span class="muted small">on {j.node}</span>{" "}
                <button type="button" class="link-btn" onClick={() => setJob({ id: j.job, title: titleOf(j) })}>
                  Output
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </section>
  );
}
