// Failure alerts: when a run fails, every active user who opted in gets one
// mail naming the task, the failed step, its exit code or signal, the last 20
// lines of its log (already masked on disk) and a link to the run. Reacts to
// engine events; the executor never calls mail.
import { closeSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import type { UserStore } from "../db/users.ts";
import type { EventBus } from "../engine/events.ts";
import { stepLogPath } from "../engine/logs.ts";
import type { Run, StepRun } from "../engine/types.ts";
import { sendLater, type Mailer, type MailMessage } from "./mailer.ts";

const TAIL_LINES = 20;
const TAIL_BYTES = 64 * 1024;

/** The last `lines` lines of a file, reading only its end. */
export function lastLines(path: string, lines = TAIL_LINES): string[] {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return [];
  }
  try {
    const buf = Buffer.alloc(TAIL_BYTES);
    const size = Bun.file(path).size;
    const start = Math.max(0, size - TAIL_BYTES);
    const n = readSync(fd, buf, 0, TAIL_BYTES, start);
    const text = buf.subarray(0, n).toString("utf8").replace(/\n$/, "");
    return text === "" ? [] : text.split("\n").slice(-lines);
  } finally {
    closeSync(fd);
  }
}

function describeEnd(step: StepRun): string {
  if (step.status === "timed_out") return `timed out after ${step.timeout_s} s`;
  if (step.signal) return `killed by ${step.signal}`;
  if (step.exit_code !== null) return `exit code ${step.exit_code}`;
  return step.error ?? step.status;
}

export function failureMail(to: string, run: Run, step: StepRun | undefined, tail: string[], runUrl: string): MailMessage {
  const what = step ? `step "${step.name}" ${describeEnd(step)}` : "a step failed";
  const lines = step?.error ? [`error: ${step.error}`] : [];
  return {
    to,
    subject: `Lightflow: ${run.task} failed (${step ? step.name : "run " + run.id})`,
    text:
      `The task "${run.task}" failed in run ${run.id}: ${what}.\n` +
      lines.join("\n") +
      (tail.length ? `\nLast ${tail.length} lines of its log:\n\n${tail.map((l) => `  ${l}`).join("\n")}\n` : "\nThe step wrote no output.\n") +
      `\nThe run: ${runUrl}\n\nYou get this mail because failure alerts are on in your Lightflow profile.\n`,
  };
}

export function watchFailures(o: { bus: EventBus; users: UserStore; mailer: Mailer; dataDir: string; publicUrl: () => string }): () => void {
  return o.bus.on((e) => {
    if (e.type !== "run" || e.run.status !== "failed") return;
    const recipients = o.users.alertRecipients();
    if (!recipients.length) return;
    const run = e.run;
    const step = run.steps.find((s) => s.status === "failed" || s.status === "timed_out");
    const tail = step ? lastLines(stepLogPath(join(o.dataDir, "logs"), run.task, run.id, step.position, step.name, step.attempt)) : [];
    const url = `${o.publicUrl()}/runs/${run.id}`;
    for (const u of recipients) void sendLater(o.mailer, failureMail(u.email, run, step, tail, url));
  });
}
