// An Executor with no process behind it: each step the engine starts is
// recorded and ends when the test says so (finish, fail, a signal, or a time on
// a ManualClock), writing output only when told. Queue and scheduler tests use
// it; tests about real processes use the real executor (executor.test.ts).
import type { Clock } from "../../server/engine/clock.ts";
import type { ExitInfo, Executor, StepProcess, StepSpec } from "../../server/engine/executor.ts";

/**
 * Above Linux's largest pid_max (2^22): if a fake pid ever reached code that
 * signals pids, it could not hit a real process.
 */
const FIRST_PID = 2 ** 22 + 1;

export class FakeStep {
  /** the task, step and run the engine started this for (from the step's environment) */
  readonly task: string;
  readonly step: string;
  readonly runId: number;
  readonly env: Readonly<Record<string, string>>;
  /** the signals the engine sent, in order */
  readonly signals: NodeJS.Signals[] = [];
  readonly process: StepProcess;
  private exit: ExitInfo | null = null;
  private resolveExit!: (e: ExitInfo) => void;
  private out!: ReadableStreamDefaultController<Uint8Array>;

  constructor(
    readonly spec: StepSpec,
    readonly pid: number,
    private readonly clock: Clock | undefined,
  ) {
    this.env = spec.env;
    this.task = spec.env.LIGHTFLOW_TASK ?? "";
    this.step = spec.env.LIGHTFLOW_STEP ?? "";
    this.runId = Number(spec.env.LIGHTFLOW_RUN_ID);
    const exited = new Promise<ExitInfo>((r) => (this.resolveExit = r));
    const output = new ReadableStream<Uint8Array>({ start: (c) => void (this.out = c) });
    const self = this;
    this.process = {
      pid,
      // null: "gone before its start time was read", so no pid is recorded for a restart to look for
      startTime: Promise.resolve(null),
      exited,
      output,
      signal(sig) {
        self.signals.push(sig);
        self.end({ exitCode: null, signal: sig }); // a process that obeys its first signal
      },
      escapedAlive: () => false,
      leftAlive: async () => false,
      groupAlive: () => false,
      stopReading: () => self.closeOutput(),
    };
  }

  get ended(): boolean {
    return this.exit !== null;
  }

  /** Output the step writes (merged stdout and stderr). */
  write(text: string | Uint8Array): this {
    if (this.ended) throw new Error(`${this.task}/${this.step} has ended: it writes nothing more`);
    this.out.enqueue(typeof text === "string" ? new TextEncoder().encode(text) : text);
    return this;
  }

  /** The step exits with `code` (0: success, 75: skipped, anything else: failed). */
  finish(code = 0): void {
    this.end({ exitCode: code, signal: null });
  }

  fail(code = 1): void {
    this.finish(code);
  }

  /** The step exits with `code` when the clock reaches `at`. */
  finishAt(at: number, code = 0): this {
    if (!this.clock) throw new Error("finishAt needs the executor to be given the engine's clock");
    this.clock.at(at, () => this.finish(code));
    return this;
  }

  private end(e: ExitInfo): void {
    if (this.exit) return;
    this.exit = e;
    this.closeOutput();
    this.resolveExit(e);
  }

  private closeOutput(): void {
    try {
      this.out.close();
    } catch {
      // closed already
    }
  }
}

export interface FakeExecutorOptions {
  /** the engine's clock, for finishAt */
  clock?: Clock;
  /** what each step does as it starts (e.g. `(s) => s.finish()`); by default it runs until told */
  onStart?: (s: FakeStep) => void;
}

export class FakeExecutor implements Executor {
  /** every step started, in order */
  readonly steps: FakeStep[] = [];
  private nextPid = FIRST_PID;
  private readonly waiters = new Set<{ pred: (s: FakeStep) => boolean; resolve: (s: FakeStep) => void }>();

  constructor(private readonly o: FakeExecutorOptions = {}) {}

  start(spec: StepSpec): StepProcess {
    const s = new FakeStep(spec, this.nextPid++, this.o.clock);
    this.steps.push(s);
    for (const w of [...this.waiters]) {
      if (w.pred(s)) {
        this.waiters.delete(w);
        w.resolve(s);
      }
    }
    this.o.onStart?.(s);
    return s.process;
  }

  /** The steps still running. */
  running(): FakeStep[] {
    return this.steps.filter((s) => !s.ended);
  }

  /** The tasks whose steps started, in the order they started. */
  startedTasks(): string[] {
    return this.steps.map((s) => s.task);
  }

  /**
   * The first step of `task` (and `step`, if given) that has started or starts
   * within `ms`. Waiting fails after that, naming the step: a broken rule fails
   * its test at once instead of at the test's own timeout.
   */
  started(task: string, step?: string, ms = 2000): Promise<FakeStep> {
    return this.startedWhere((s) => s.task === task && (step === undefined || s.step === step), `${task}${step ? `/${step}` : ""}`, ms);
  }

  /** The first step of run `runId` (and `step`, if given), as `started`. */
  startedOf(runId: number, step?: string, ms = 2000): Promise<FakeStep> {
    return this.startedWhere((s) => s.runId === runId && (step === undefined || s.step === step), `run ${runId}${step ? `/${step}` : ""}`, ms);
  }

  private startedWhere(pred: (s: FakeStep) => boolean, what: string, ms: number): Promise<FakeStep> {
    const found = this.steps.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = {
        pred,
        resolve: (s: FakeStep) => {
          clearTimeout(timer);
          resolve(s);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no step of ${what} started within ${ms} ms (started: ${this.startedTasks().join(", ") || "none"})`));
      }, ms);
      this.waiters.add(waiter);
    });
  }

  /** The running step of `task`; throws when there is none (a test's expectation, stated). */
  runningStep(task: string): FakeStep {
    const s = this.running().find((x) => x.task === task);
    if (!s) throw new Error(`no step of ${task} is running (running: ${this.running().map((x) => x.task).join(", ") || "none"})`);
    return s;
  }
}

export const finishAtOnce = (s: FakeStep) => s.finish();
