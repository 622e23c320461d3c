// Executes one run: its steps in order, each rule applied, each state change
// written in one transaction and published on the bus.
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config.ts";
import type { RunStore, RunWrite } from "./stores.ts";
import { upstreamEnv } from "./chains.ts";
import { attemptStatus, endProcesses, Stopper, type EndReason } from "./attempt.ts";
import type { Clock } from "./clock.ts";
import type { EventBus } from "./events.ts";
import { StartError, variableProblem, type Executor, type StepProcess } from "./executor.ts";
import { logRef, type LogStore, type LogWriter } from "./logstore.ts";
import type { Outage } from "./outage.ts";
import { accountEnv, resolveRunAs, type Account } from "./runas.ts";
import type { Run, RunStatus, StepRun, StepStatus, Variable } from "./types.ts";

export interface RunnerDeps {
  config: Config;
  runs: RunStore;
  bus: EventBus;
  executor: Executor;
  clock: Clock;
  variables(): Variable[];
  logs: LogStore;
  /** keeps the run's writes while the store is unavailable (outage.ts) */
  outage: Outage;
  /** on a cluster, this node: a run's writes hold only while the run is still its own (RunStore.write) */
  owner?: string;
  /** before each attempt's process starts, what it needs first (a cluster's scripts: scripts/shared.ts); null: nothing */
  beforeStep?: () => Promise<void> | null;
}

const FAILED: ReadonlySet<StepStatus> = new Set(["failed", "timed_out", "cancelled"]);
export const TOKEN_VAR = "LIGHTFLOW_STEP_TOKEN";

interface AttemptResult {
  /** the attempt's log, still open (null when no attempt ran) */
  log: LogWriter | null;
  status: StepStatus;
  exit_code: number | null;
  signal: string | null;
  error: string | null;
}

/** The Python venv's bin first on PATH, its site-packages on PYTHONPATH. */
function pythonEnv(venv: string, base: Readonly<Record<string, string>>): Record<string, string> {
  const env: Record<string, string> = { PATH: [join(venv, "bin"), base.PATH].filter(Boolean).join(":") };
  const lib = join(venv, "lib");
  if (existsSync(lib)) {
    const site = readdirSync(lib)
      .filter((d) => d.startsWith("python"))
      .map((d) => join(lib, d, "site-packages"));
    if (site.length) env.PYTHONPATH = site.join(":");
  }
  return env;
}

export class RunExecution {
  private cancelRequested = false;
  private interruptReason: string | null = null;
  private stopCurrent: ((reason: EndReason) => void) | null = null;
  /**
   * Changes made but not yet written: they go with the run's next write, in
   * the same turn of the event loop (a run's start with its first step's
   * start, a step's end with the next step's start or the run's end), so a
   * run takes two transactions fewer.
   */
  private unwritten: RunWrite = {};

  /** `recovered`: a run interrupted by a stop of the server, finishing its `always` steps; it ends failed. */
  constructor(
    private readonly d: RunnerDeps,
    readonly run: Run,
    private readonly recovered = false,
  ) {}

  cancel(): void {
    this.cancelRequested = true;
    this.stopCurrent?.("cancelled");
  }

  /** Server shutdown: the current step is killed and recorded failed; `always` steps wait for the next start. */
  interrupt(reason: string): void {
    this.interruptReason = reason;
    this.stopCurrent?.("interrupted");
  }

  private emit(): void {
    this.d.bus.emit({ type: "run", run: this.run });
  }

  /** Writes `w` with whatever is still unwritten, in one transaction (or once the store is back). */
  private write(w: RunWrite = {}): void {
    const id = this.run.id;
    const change = { ...this.unwritten, ...w };
    this.unwritten = {};
    // a recovered run was closed already (by this node's stop, or by the leader): its always steps are written as they end
    const owner = this.recovered ? undefined : this.d.owner;
    this.d.outage.do(`run ${id}'s progress`, () => this.d.runs.write(id, change, owner));
  }

  /** Runs every pending step; returns the final status, or null when left for the next start. */
  async execute(): Promise<RunStatus | null> {
    const { clock } = this.d;
    if (this.run.status === "queued") {
      this.run.status = "running";
      this.run.started_at = clock.now();
      this.run.node = this.d.config.nodeName;
      this.unwritten.started = this.run.started_at;
      this.unwritten.node = this.run.node;
      this.emit();
    }
    for (const step of this.run.steps) {
      if (step.status !== "pending") continue;
      const failedSoFar = this.recovered || this.run.steps.some((s) => FAILED.has(s.status));
      if (this.interruptReason && step.run_rule === "always") continue; // runs at the next start
      if (step.run_rule === "on_success" && (failedSoFar || this.cancelRequested || this.interruptReason)) {
        step.status = "not_run";
        this.write({ notRun: step.position });
        this.emit();
        this.d.bus.emitLogEnd(this.run.id, step.position, step, step.attempt);
        continue;
      }
      await this.runStep(step);
    }
    if (this.run.steps.some((s) => s.status === "pending")) {
      this.write(); // left for the next start (a shutdown), as far as it got
      return null;
    }
    const status: RunStatus = this.cancelRequested
      ? "cancelled"
      : this.recovered || this.run.steps.some((s) => FAILED.has(s.status))
        ? "failed"
        : "success";
    this.run.status = status;
    this.run.ended_at = clock.now();
    this.write({ finished: { status, at: this.run.ended_at } });
    this.emit();
    return status;
  }

  private stepEnv(step: StepRun, token: string, variables: Variable[]): Record<string, string> {
    const { config } = this.d;
    const env: Record<string, string> = { ...config.stepEnvBase };
    for (const v of variables) {
      // A row saved before the API refused such values: the step fails naming
      // the key only (running without the variable could do harm, e.g. an
      // empty $TARGET in `rm -rf "$TARGET/"*`), until it is set again.
      const problem = variableProblem(v);
      if (problem) throw new StartError(`cannot start: variable ${v.key}: ${problem}; set it again on the Variables page`);
      env[v.key] = v.value;
    }
    // the run's parameters win over plain variables; a secret created since the trigger refused them
    for (const [k, v] of Object.entries(this.run.params)) {
      if (variables.some((s) => s.secret && s.key === k)) throw new StartError(`cannot start: parameter ${k} would replace the secret variable of the same name; rename one of them`);
      env[k] = v;
    }
    Object.assign(env, pythonEnv(config.pythonLibsDir, config.stepEnvBase), {
      LIGHTFLOW_TASK: this.run.task,
      LIGHTFLOW_RUN_ID: String(this.run.id),
      LIGHTFLOW_STEP: step.name,
      LIGHTFLOW_STEP_POSITION: String(step.position),
      LIGHTFLOW_TRIGGER: this.run.trigger,
      LIGHTFLOW_SCHEDULED_FOR: this.run.scheduled_for === null ? "" : new Date(this.run.scheduled_for).toISOString(),
      LIGHTFLOW_DATA_DIR: config.dataDir,
      [TOKEN_VAR]: token,
    });
    if (this.run.upstream) Object.assign(env, upstreamEnv(this.run.upstream)); // chained runs only
    return env;
  }

  /** Runs a step, trying again after a failure or timeout while it has retries left. */
  private async runStep(step: StepRun): Promise<void> {
    step.status = "running";
    step.started_at = this.d.clock.now();
    for (let attempt = 1; ; attempt++) {
      // a new attempt: nothing of the last one's ending is left to mislead a viewer
      Object.assign(step, { attempt, log_bytes: 0, retry_at: null }, attempt > 1 ? { exit_code: null, signal: null, error: null } : {});
      const r = await this.runAttempt(step, attempt);
      const retry = (r.status === "failed" || r.status === "timed_out") && attempt <= step.retries && !this.cancelRequested && !this.interruptReason;
      if (!retry) return this.endStep(step, r);
      r.log.note(`attempt ${attempt} of ${step.retries + 1} ${r.status === "timed_out" ? "timed out" : "failed"}; trying again in ${step.retry_delay_s} s`);
      r.log.close();
      Object.assign(step, { exit_code: r.exit_code, signal: r.signal, error: r.error, retry_at: this.d.clock.now() + step.retry_delay_s * 1000 });
      this.emit();
      this.d.bus.emitLogEnd(this.run.id, step.position, step, attempt);
      if (step.retry_delay_s > 0) await this.pause(step.retry_delay_s * 1000);
      if (this.cancelRequested || this.interruptReason) {
        // stopped while waiting: the step ends as its last attempt did, or cancelled
        return this.endStep(step, { ...r, log: null, status: this.cancelRequested ? "cancelled" : r.status, error: this.interruptReason ?? r.error });
      }
    }
  }

  /** Waits between attempts; a cancel or a shutdown ends the wait at once. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.stopCurrent = () => {
        this.stopCurrent = null;
        done();
      };
    });
  }

  /** One attempt: its log, its process, its stop, and what its end makes of the step. */
  private async runAttempt(step: StepRun, attempt: number): Promise<AttemptResult & { log: LogWriter }> {
    const { config } = this.d;
    const ready = this.d.beforeStep?.();
    if (ready) await ready;
    const variables = this.d.variables(); // one read per attempt: its environment and its masking agree
    const log = this.openLog(step, attempt, variables);
    const token = randomBytes(16).toString("hex");
    this.write({ stepStarting: { position: step.position, attempt, at: step.started_at!, token } });
    const proc = this.spawn(step, token, variables);
    if (typeof proc === "string") {
      log.note(proc);
      return { log, status: "failed", exit_code: null, signal: null, error: proc };
    }
    const spawned = this.recordPid(proc, step, token);
    this.emit();

    const stopper = new Stopper(proc, config.killGraceMs, step.timeout_s, (reason) => {
      const why = reason === "timed_out" ? `timed out after ${step.timeout_s} s` : reason === "cancelled" ? "cancelled" : (this.interruptReason ?? "interrupted");
      log.note(`${why}: sending SIGTERM to the step's processes, SIGKILL after ${config.killGraceMs / 1000} s`);
    });
    this.stopCurrent = (reason) => stopper.stop(reason);
    const drained = (async () => {
      for await (const chunk of proc.output) log.write(chunk);
    })();

    const exit = await proc.exited;
    await spawned;
    stopper.exited();
    this.stopCurrent = null;
    await endProcesses(proc, stopper, drained, log, config.killGraceMs);
    const { status, error } = attemptStatus({ reason: stopper.reason, exitCode: exit.exitCode, interrupt: this.interruptReason, writeError: log.writeError });
    return { log, status, exit_code: exit.exitCode, signal: exit.signal, error };
  }

  /** The attempt's log: masked with the secrets of the same read as its environment; each write goes on the bus. */
  private openLog(step: StepRun, attempt: number, variables: Variable[]): LogWriter {
    return this.d.logs.writer(logRef(this.run, step, attempt), {
      maxBytes: this.d.config.maxLogBytes,
      secrets: variables.filter((v) => v.secret).map((v) => v.value),
      onWrite: (offset, data) => {
        step.log_bytes = offset + data.length;
        this.d.bus.emitLog(this.run.id, step.position, { offset, data, attempt });
      },
    });
  }

  /** The step's process, or why it could not start (a text that quotes no value of the environment). */
  private spawn(step: StepRun, token: string, variables: Variable[]): StepProcess | string {
    try {
      const user = step.run_as ? this.account(step.run_as) : undefined;
      const env = this.stepEnv(step, token, variables);
      return this.d.executor.start({
        command: step.command,
        args: step.args,
        cwd: this.d.config.scriptsDir,
        env: user ? { ...env, ...accountEnv(user) } : env,
        token: { name: TOKEN_VAR, value: token },
        ...(user ? { user } : {}),
      });
    } catch (e) {
      // only a StartError's message is known to quote no value of the environment
      return e instanceof StartError ? e.message : `cannot start the step: ${(e as Error).name}`;
    }
  }

  /** run_as, looked up again at each start: the user may have gone since the task was saved. */
  private account(name: string): Account {
    const account = resolveRunAs(name);
    if (typeof account === "string") throw new StartError(`cannot start: run_as: ${account}`);
    return account;
  }

  /**
   * The pid and its start time let a restart after a crash find the process
   * group; until they are written the step's token finds its processes. A
   * process already gone needs neither.
   */
  private recordPid(proc: StepProcess, step: StepRun, token: string): Promise<unknown> {
    const runId = this.run.id;
    return proc.startTime
      .then((start) => start !== null && this.d.outage.do(`run ${runId}'s pid`, () => this.d.runs.stepSpawned(runId, step.position, token, proc.pid, start)))
      .catch((e) => console.error(`lightflow: could not record the pid of run ${runId} step ${step.position}: ${(e as Error).message}`));
  }

  private endStep(step: StepRun, r: AttemptResult): void {
    Object.assign(step, { status: r.status, exit_code: r.exit_code, signal: r.signal, error: r.error, retry_at: null });
    if (r.log) step.log_bytes = r.log.close();
    step.ended_at = this.d.clock.now();
    this.unwritten.stepEnded = {
      position: step.position,
      result: { status: r.status, exit_code: r.exit_code, signal: r.signal, error: r.error, ended_at: step.ended_at, log_bytes: step.log_bytes },
    };
    this.emit();
    this.d.bus.emitLogEnd(this.run.id, step.position, step, step.attempt);
  }
}
