// Alerts: a run failed, a task recovered (first success after a failure), a
// scheduled run did not start in time. Each goes by mail to every active user
// who opted in plus the task's own recipients, and as JSON to the webhook an
// admin set. Reacts to engine events; the executor never calls mail.
import type { RunStore, SettingsStore, TaskStore } from "../engine/stores.ts";
import type { UserStore } from "../auth/store.ts";
import type { EngineEvent, EventBus } from "../engine/events.ts";
import { logRef, type LogReader } from "../engine/logstore.ts";
import type { Run, RunStatus, StepRun } from "../engine/types.ts";
import { sendLater, type Mailer, type MailMessage } from "./mailer.ts";

const TAIL_LINES = 20;
const WEBHOOK_TIMEOUT_MS = 10_000;

function describeEnd(step: StepRun): string {
  if (step.status === "timed_out") return `timed out after ${step.timeout_s} s`;
  if (step.signal) return `killed by ${step.signal}`;
  if (step.exit_code !== null) return `exit code ${step.exit_code}`;
  return step.error ?? step.status;
}

const FOOTER = "\nYou get this mail because failure alerts are on in your Lightflow profile, or this task lists your address.\n";

export function failureMail(to: string, run: Run, step: StepRun | undefined, tail: string[], runUrl: string): MailMessage {
  const what = step ? `step "${step.name}" ${describeEnd(step)}${step.attempt > 1 ? ` (after ${step.attempt} attempts)` : ""}` : "a step failed";
  const lines = step?.error ? [`error: ${step.error}`] : [];
  return {
    to,
    subject: `Lightflow: ${run.task} failed (${step ? step.name : "run " + run.id})`,
    text:
      `The task "${run.task}" failed in run ${run.id}: ${what}.\n` +
      lines.join("\n") +
      (tail.length ? `\nLast ${tail.length} lines of its log:\n\n${tail.map((l) => `  ${l}`).join("\n")}\n` : "\nThe step wrote no output.\n") +
      `\nThe run: ${runUrl}\n${FOOTER}`,
  };
}

export function recoveredMail(to: string, run: Run, runUrl: string): MailMessage {
  return {
    to,
    subject: `Lightflow: ${run.task} recovered`,
    text: `The task "${run.task}" succeeded again in run ${run.id}, after a failure.\n\nThe run: ${runUrl}\n${FOOTER}`,
  };
}

export function lateMail(to: string, task: string, scheduledFor: number, reason: "not_started" | "server_down", url: string): MailMessage {
  const why = reason === "server_down" ? "the server was not running" : "it is still waiting for a free slot (pool or global limit) or for its previous run";
  return {
    to,
    subject: `Lightflow: ${task} did not start`,
    text: `The run of "${task}" scheduled for ${new Date(scheduledFor).toISOString()} did not start in time: ${why}.\n\nThe task: ${url}\n${FOOTER}`,
  };
}

export interface AlertDeps {
  bus: EventBus;
  users: UserStore;
  tasks: TaskStore;
  runs: RunStore;
  settings: SettingsStore;
  mailer: Mailer;
  logs: Pick<LogReader, "lastLines">;
  publicUrl: () => string;
}

/** POSTs an alert as JSON; failures are logged, never thrown. */
async function postWebhook(url: string, body: unknown): Promise<void> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "Lightflow" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
    if (!res.ok) console.error(`lightflow: the alert webhook answered ${res.status}`);
  } catch (e) {
    console.error(`lightflow: could not call the alert webhook: ${(e as Error).message}`);
  }
}

export function watchAlerts(d: AlertDeps): () => void {
  const recipients = (task: string): string[] => {
    const emails = new Set(d.users.alertRecipients().map((u) => u.email.toLowerCase()));
    for (const e of d.tasks.find(task)?.alert_emails ?? []) emails.add(e.toLowerCase());
    return [...emails];
  };
  const alert = (task: string, mail: (to: string) => MailMessage, hook: Record<string, unknown>) => {
    for (const to of recipients(task)) void sendLater(d.mailer, mail(to));
    const url = d.settings.get().alert_webhook_url;
    if (url) void postWebhook(url, { ...hook, task });
  };

  // Each task's newest finished run this process saw (success or failed), and
  // the status before it: whether a success recovers from a failure is known
  // without a read, but for the first end of a task after the start.
  const seen = new Map<number, { id: number; status: RunStatus; before: RunStatus | undefined }>();
  const previousOf = (run: Run): RunStatus | undefined => {
    const s = seen.get(run.task_id);
    if (s?.id === run.id) return s.before;
    const before = s && s.id < run.id ? s.status : d.runs.previousFinished(run.task_id, run.id)?.status;
    seen.set(run.task_id, { id: run.id, status: run.status, before });
    return before;
  };

  return d.bus.on((e: EngineEvent, remote) => {
    if (remote) {
      // the node that ran it alerts; this one only remembers its end (the next success here may recover from it)
      if (e.type === "run" && (e.run.status === "failed" || e.run.status === "success")) previousOf(e.run);
      return;
    }
    if (e.type === "late") {
      const url = `${d.publicUrl()}/tasks/${encodeURIComponent(e.task)}`;
      alert(e.task, (to) => lateMail(to, e.task, e.scheduled_for, e.reason, url), {
        event: "did_not_start",
        reason: e.reason,
        scheduled_for: new Date(e.scheduled_for).toISOString(),
        run_id: e.run_id,
        url,
      });
      return;
    }
    if (e.type !== "run") return;
    const run = e.run;
    const url = `${d.publicUrl()}/runs/${run.id}`;
    if (run.status === "failed") {
      previousOf(run); // remembered for the next success
      const step = run.steps.find((s) => s.status === "failed" || s.status === "timed_out");
      const stepHook = step ? { name: step.name, position: step.position, status: step.status, exit_code: step.exit_code, signal: step.signal, attempt: step.attempt } : null;
      // the store may answer later (a log on another node): the listener does not wait, so it logs its own failures as the bus would
      // a log on a node that is gone (the leader closed its runs) cannot be read: the alert goes without it
      void (step ? d.logs.lastLines(logRef(run, step), TAIL_LINES).catch(() => [] as string[]) : Promise.resolve([]))
        .then((tail) => alert(run.task, (to) => failureMail(to, run, step, tail, url), { event: "failed", run_id: run.id, step: stepHook, log_tail: tail, url }))
        .catch((err) => console.error(`lightflow: an event listener failed: ${(err as Error).message}`));
    } else if (run.status === "success" && previousOf(run) === "failed") {
      alert(run.task, (to) => recoveredMail(to, run, url), { event: "recovered", run_id: run.id, url });
    }
  });
}
