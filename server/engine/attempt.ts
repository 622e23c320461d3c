// One attempt of a step as a process: started, stopped (timeout, cancel,
// shutdown), and ended with nothing it started left behind. What the attempt's
// end makes of the step is a pure function of how it ended (attemptStatus).
import type { StepProcess } from "./executor.ts";
import type { LogWriter } from "./logstore.ts";
import { waitGone } from "./proc.ts";
import type { StepStatus } from "./types.ts";

export type EndReason = "timed_out" | "cancelled" | "interrupted";
export const EXIT_SKIPPED = 75;

/** How an attempt ended, as attemptStatus reads it. */
export interface AttemptEnd {
  /** why Lightflow stopped it, or null when it ended by itself */
  reason: EndReason | null;
  exitCode: number | null;
  /** the server's reason for an interrupt ("interrupted by server shutdown") */
  interrupt: string | null;
  /** the log could not be written (disk full) */
  writeError: string | null;
}

/** The step's status and error for an attempt's end: exit 0 success, 75 skipped, anything else failed. */
export function attemptStatus(end: AttemptEnd): { status: StepStatus; error: string | null } {
  let status: StepStatus;
  let error: string | null = null;
  if (end.reason === "timed_out") status = "timed_out";
  else if (end.reason === "cancelled") status = "cancelled";
  else if (end.reason === "interrupted") {
    status = "failed";
    error = end.interrupt;
  } else if (end.exitCode === 0) status = "success";
  else if (end.exitCode === EXIT_SKIPPED) status = "skipped";
  else status = "failed";
  if (end.writeError && status !== "failed") return { status: "failed", error: end.writeError };
  return { status, error };
}

/**
 * An attempt's stop: its timeout, and a cancel or interrupt from outside. The
 * first reason wins; each sends SIGTERM to the step's processes, then SIGKILL
 * after the grace.
 */
export class Stopper {
  reason: EndReason | null = null;
  private killTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly timeout: ReturnType<typeof setTimeout>;

  constructor(
    private readonly proc: StepProcess,
    private readonly graceMs: number,
    timeoutS: number,
    /** says why in the step's log */
    private readonly note: (reason: EndReason) => void,
  ) {
    this.timeout = setTimeout(() => this.stop("timed_out"), timeoutS * 1000);
  }

  stop(reason: EndReason): void {
    if (this.reason) return;
    this.reason = reason;
    this.note(reason);
    this.killTree();
  }

  killTree(): void {
    this.proc.signal("SIGTERM");
    clearTimeout(this.killTimer);
    this.killTimer = setTimeout(() => this.proc.signal("SIGKILL"), this.graceMs);
  }

  /** The main process has exited: no timeout from now on. */
  exited(): void {
    clearTimeout(this.timeout);
  }

  /** Everything is over: no SIGKILL is due. */
  done(): void {
    clearTimeout(this.killTimer);
  }
}

/** Whether `p` settled within `ms`; the timer is cleared either way. */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([p.then(() => true as const), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Waits until no process of the step is left, after a SIGTERM: for the kill
 * grace, then with SIGKILL sent again on each look (a dying process may still
 * fork). Returns whether they are gone.
 */
async function gone(proc: StepProcess, graceMs: number): Promise<boolean> {
  if ((await waitGone(() => proc.escapedAlive(), graceMs)) && !(await proc.leftAlive())) return true;
  const killed = () => (proc.signal("SIGKILL"), proc.escapedAlive());
  for (let round = 0; round < 3; round++) if ((await waitGone(killed, 1000)) && !(await proc.leftAlive())) return true;
  return false;
}

/**
 * After the main process exited: what the step left running ends with it (as
 * systemd's control-group kill mode does): its process group, and every
 * process carrying its token, which finds those that left the group with
 * setsid. They are gone, and the output read, before the end is recorded.
 */
export async function endProcesses(proc: StepProcess, stopper: Stopper, drained: Promise<void>, log: LogWriter, graceMs: number): Promise<void> {
  const leftover = stopper.reason !== null || proc.groupAlive() || (await proc.leftAlive());
  if (!stopper.reason && leftover) stopper.killTree();
  // output still held open by a process that escaped the kill is read for at most the kill grace after the step ended
  if (!(await within(drained, graceMs + 1000))) {
    proc.signal("SIGKILL");
    proc.stopReading();
    await drained;
  }
  if (leftover && !(await gone(proc, graceMs))) {
    log.note("processes of the step outlived SIGKILL (stuck in the kernel, or forking faster than they are found)");
  }
  stopper.done();
}
