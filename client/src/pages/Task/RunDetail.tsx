// One run: when and why it ran, its steps, and the log of the chosen step.
import { For, Show } from "solid-js";
import type { Run, RunStep } from "../../types.ts";
import { api } from "../../api.ts";
import { Link } from "../../router.tsx";
import { isAdmin } from "../../session.ts";
import { notifyError } from "../../lib/notify.ts";
import { attemptText, doneInText, isActiveRun, retryFrom, stepLabel } from "../../lib/status.ts";
import { fmtTime, span } from "../../lib/time.ts";
import ConfirmButton from "../../components/ConfirmButton.tsx";
import StatusBadge from "../../components/StatusBadge.tsx";
import { runHref } from "../../components/StepBox.tsx";
import StepLog from "./StepLog.tsx";
import { triggerText } from "../../lib/trigger.ts";

const exitText = (s: RunStep) => (s.signal ? `signal ${s.signal}` : s.status === "failed" && s.exit_code !== null ? `exit ${s.exit_code}` : "");

/** `onRun`: a retry queued a new run (to be shown instead). */
export default function RunDetail(props: { run: Run; step: number; onChange: (r: Run) => void; onRun: (r: Run) => void }) {
  const cancel = async () => {
    try {
      props.onChange(await api.runs.cancel(props.run.id));
    } catch (e) {
      notifyError(e);
    }
  };
  const retry = async () => {
    try {
      props.onRun(await api.runs.retry(props.run.id));
    } catch (e) {
      notifyError(e);
    }
  };
  const params = () => Object.entries(props.run.params ?? {});
  const selected = () => props.run.steps.find((s) => s.position === props.step) ?? props.run.steps[0];
  return (
    <section class="run-detail" aria-labelledby="run-h">
      <div class="page-head">
        <h2 id="run-h">
          Run #{props.run.id} <StatusBadge status={props.run.status} />
        </h2>
        <Show when={isAdmin() && isActiveRun(props.run.status)}>
          <ConfirmButton label="Cancel run" question="Cancel this run?" confirmLabel="Yes, cancel it" onConfirm={cancel} />
        </Show>
        <Show when={isAdmin() && retryFrom(props.run)}>
          {(from) => (
            <ConfirmButton
              class="retry"
              label={`Retry from step ${from()}`}
              question={`Run again from step ${from()}, with the same parameters? The steps before it are not run again.`}
              confirmLabel="Yes, retry"
              onConfirm={retry}
            />
          )}
        </Show>
      </div>
      <dl class="meta inline">
        <div>
          <dt>Trigger</dt>
          <dd>
            {props.run.trigger === "after" ? triggerText(props.run) : props.run.trigger}
            {props.run.trigger !== "after" && props.run.triggered_by ? ` by ${props.run.triggered_by}` : ""}
            {props.run.scheduled_for ? `, for ${fmtTime(props.run.scheduled_for)}` : ""}
            <Show when={props.run.retry_of}>
              {(of) => (
                <>
                  , retry of <Link href={`/runs/${of()}`}>run #{of()}</Link>
                </>
              )}
            </Show>
          </dd>
        </div>
        <Show when={params().length}>
          <div class="run-params">
            <dt>Parameters</dt>
            <dd>
              <For each={params()}>
                {([k, v], i) => (
                  <>
                    {i() > 0 ? ", " : ""}
                    <span class="param">
                      <code>{k}</code>=<code>{v}</code>
                    </span>
                  </>
                )}
              </For>
            </dd>
          </div>
        </Show>
        <Show when={props.run.node || props.run.status === "queued"}>
          <div>
            <dt>Node</dt>
            <dd class="break">{props.run.node ?? "not on a node yet"}</dd>
          </div>
        </Show>
        <div>
          <dt>Queued</dt>
          <dd>{fmtTime(props.run.queued_at)}</dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>{fmtTime(props.run.started_at)}</dd>
        </div>
        <div>
          <dt>Ended</dt>
          <dd>{fmtTime(props.run.ended_at)}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{span(props.run.started_at, props.run.ended_at) || "—"}</dd>
        </div>
      </dl>
      <ol class="steps">
        <For each={props.run.steps}>
          {(s) => (
            <li classList={{ sel: selected()?.position === s.position }}>
              <Link href={runHref(props.run, s.position)} aria-current={selected()?.position === s.position ? "step" : undefined}>
                <span class={`box s-${s.status}`} classList={{ retried: s.attempt > 1 }} aria-hidden="true">
                  <Show when={s.attempt > 1}>
                    <span class="tries">×{s.attempt}</span>
                  </Show>
                </span>
                <span class="step-name">
                  {s.position}. {s.name}
                </span>
                <span class="muted small">
                  {[stepLabel[s.status], exitText(s), attemptText(s), doneInText(s), span(s.started_at, s.ended_at)].filter(Boolean).join(" · ")}
                </span>
              </Link>
              <Show when={s.error}>
                <div class="error-text small">{s.error}</div>
              </Show>
            </li>
          )}
        </For>
      </ol>
      <Show when={selected()}>{(s) => <StepLog run={props.run.id} step={s()} />}</Show>
    </section>
  );
}
