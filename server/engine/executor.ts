// Starts one step as a subprocess in its own session and process group, with
// stdin closed and stdout+stderr sharing one pipe (so the log keeps the exact
// order the program wrote in). The scheduler only sees this small interface.
import { dlopen, FFIType, ptr } from "bun:ffi";
import { accessSync, closeSync, constants, statSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { MIN_SECRET_LENGTH } from "./mask.ts";
import { groupAlive, procStartTimeAsync, scanEnv, signalGroup, signalProcesses } from "./proc.ts";
import { asUser, type Account } from "./runas.ts";
import type { Variable } from "./types.ts";

export interface StepSpec {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** a unique value in the environment that marks every process of this step */
  token: { name: string; value: string };
  /** run_as: the user the program runs as (see runas.ts); absent: the server's own */
  user?: Account;
}

export interface ExitInfo {
  exitCode: number | null;
  signal: string | null;
}

export interface StepProcess {
  readonly pid: number;
  /**
   * /proc start time, to recognise this process after a server crash; null
   * when the process was gone (reaped, so its pid could be reused) before it
   * was read.
   */
  readonly startTime: Promise<number | null>;
  readonly exited: Promise<ExitInfo>;
  /** the merged output, ending when every writer is gone (or `stopReading` is called) */
  readonly output: ReadableStream<Uint8Array>;
  /** signal the whole tree: the process group and anything that left it */
  signal(sig: NodeJS.Signals): void;
  /** whether a process carrying the step's token (in its group or out of it) still lives */
  escapedAlive(): boolean;
  /**
   * escapedAlive, made sure of: a process in the middle of an exec shows no
   * environment for that moment, so one that reads empty is looked at again
   * a few times (for at most ~30 ms) before the answer is no.
   */
  leftAlive(): Promise<boolean>;
  groupAlive(): boolean;
  stopReading(): void;
}

export interface Executor {
  /** Throws StartError with a reason a person can act on when the program cannot start. */
  start(spec: StepSpec): StepProcess;
}

/** Thrown with a reason that names no value of the environment: it reaches the step's error, its log and alert mails. */
export class StartError extends Error {}

/** The most one NAME=value string of an environment may take, with its NUL (Linux: MAX_ARG_STRLEN with 4 KiB pages). */
const MAX_ENV_STRING = 128 * 1024;

/**
 * Why a variable cannot be given to a step, or null. The one rule for every
 * way in (the API, a setup import) and for rows saved before it existed,
 * which fail the step (see the runner). The reason never quotes the value.
 */
export function variableProblem(v: Variable): string | null {
  if (v.value.includes("\0")) return "a NUL byte cannot be passed to a program in its environment";
  if (Buffer.byteLength(v.key) + Buffer.byteLength(v.value) + 2 > MAX_ENV_STRING) {
    return "too long for a program's environment: key and value together at most 128 KiB in UTF-8";
  }
  if (v.secret && v.value.length < MIN_SECRET_LENGTH) {
    return `a secret must be at least ${MIN_SECRET_LENGTH} characters, so it can be masked in logs`;
  }
  return null;
}

/**
 * Why a spawn failed, from its code alone: the error's message may quote the
 * environment (Bun quotes a value with a NUL byte in full).
 */
function spawnFailure(e: unknown): string {
  const { code, message } = e as { code?: unknown; message?: unknown };
  switch (code) {
    case "ERR_INVALID_ARG_VALUE":
      return typeof message === "string" && message.includes("options.env") ? "invalid environment (a NUL byte)" : "invalid arguments (a NUL byte)";
    case "E2BIG":
      return "its environment and arguments are too large (E2BIG)";
    case "ENOEXEC":
      return "not a program this system can run (a script needs a #! line)";
    case "ENOENT":
      return "a file it needs is missing (its #! interpreter, or the scripts directory)";
    case "EACCES":
      return "permission denied";
    default:
      return typeof code === "string" && /^E[A-Z0-9]+$/.test(code) ? code : "unknown error";
  }
}

/** How long after a spawn the step's processes are looked for among newer pids only. */
const RECENT_MS = 1000;

/**
 * The main processes of the steps started lately, in the order they were
 * started, each carrying its own step's token: a step's sweep skips those
 * started after its own instead of reading their environment. With many short
 * steps at once, most pids handed out while a step ran are these (bench P5: most
 * of the sweep's cost). Only pids handed out after a step's own are looked at,
 * within RECENT_MS, so a pid started after it is that same process.
 */
const stepStarts = { order: new Map<number, number>(), next: 0 };
const REMEMBERED = 1024;

/** Records a step's main pid; returns a test for "a step started after this one". */
function startedAfter(pid: number): (other: number) => boolean {
  const mine = stepStarts.next++;
  stepStarts.order.delete(pid);
  stepStarts.order.set(pid, mine);
  if (stepStarts.order.size > REMEMBERED) stepStarts.order.delete(stepStarts.order.keys().next().value!);
  return (other) => (stepStarts.order.get(other) ?? -1) > mine;
}

const libc = dlopen("libc.so.6", { pipe2: { args: [FFIType.ptr, FFIType.i32], returns: FFIType.i32 } });
const O_CLOEXEC = 0o2000000;

function pipe(): [number, number] {
  const fds = new Int32Array(2);
  if (libc.symbols.pipe2(ptr(fds), O_CLOEXEC) !== 0) throw new StartError("cannot create a pipe for the step output");
  return [fds[0]!, fds[1]!];
}

/** A command with a slash resolves against the scripts directory, a bare name through PATH. */
export function resolveCommand(command: string, cwd: string, path: string): string {
  let file: string;
  if (command.includes("/")) {
    file = isAbsolute(command) ? command : join(cwd, command);
  } else {
    const found = Bun.which(command, { PATH: path, cwd });
    // PATH is part of the environment, which an error never quotes
    if (!found) throw new StartError(`command not found: "${command}" is not in the steps' PATH`);
    file = found;
  }
  let isDir = false;
  try {
    isDir = statSync(file).isDirectory();
  } catch {
    throw new StartError(`command not found: ${file} does not exist`);
  }
  if (isDir) throw new StartError(`cannot run ${file}: it is a directory`);
  try {
    accessSync(file, constants.X_OK);
  } catch {
    throw new StartError(`cannot run ${file}: it is not executable (chmod +x, or run it through its interpreter)`);
  }
  return file;
}

export const processExecutor: Executor = {
  start(spec: StepSpec): StepProcess {
    const file = resolveCommand(spec.command, spec.cwd, spec.env.PATH ?? "");
    let argv = [file, ...spec.args];
    if (spec.user) {
      try {
        argv = asUser(spec.user, argv);
      } catch (e) {
        throw new StartError(`cannot run as ${spec.user.name}: ${(e as Error).message}`);
      }
    }
    const [readFd, writeFd] = pipe();
    let proc: ReturnType<typeof Bun.spawn>;
    try {
      proc = Bun.spawn(argv, {
        cwd: spec.cwd,
        env: spec.env,
        stdin: "ignore",
        stdout: writeFd,
        stderr: writeFd,
        detached: true, // setsid: own session and process group, pgid = pid
      });
    } catch (e) {
      closeSync(readFd);
      throw new StartError(`cannot start ${file}: ${spawnFailure(e)}`);
    } finally {
      closeSync(writeFd);
    }
    const pid = proc.pid;
    const spawnedAt = performance.now();
    const otherStep = startedAfter(pid);
    // Everything the step starts gets a pid handed out after its own, so a look
    // soon after the spawn is limited to those (less the steps started since); later
    // the pid cycle may have come round (32768 pids at the least), and every process is looked at.
    const scan = () =>
      performance.now() - spawnedAt < RECENT_MS ? scanEnv(spec.token.name, spec.token.value, pid, otherStep) : scanEnv(spec.token.name, spec.token.value);
    // read off the event loop; a reaped process's pid may belong to another by then, so its value is not kept
    const startTime = procStartTimeAsync(pid).then((t) => (proc.exitCode === null && proc.signalCode === null ? t : null));
    const exited = proc.exited.then(() => ({
      exitCode: proc.signalCode ? null : proc.exitCode,
      signal: proc.signalCode === null ? null : String(proc.signalCode),
    }));
    let closed = false;
    const source = Bun.file(readFd).stream();
    const reader = source.getReader();
    const closeFd = () => {
      if (!closed) {
        closed = true;
        closeSync(readFd);
      }
    };
    const output = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            closeFd();
            controller.close();
          } else controller.enqueue(value);
        } catch {
          closeFd();
          controller.close();
        }
      },
      cancel() {
        void reader.cancel().finally(closeFd);
      },
    });
    return {
      pid,
      startTime,
      exited,
      output,
      signal(sig) {
        signalGroup(pid, sig);
        signalProcesses(scan().pids, sig);
      },
      escapedAlive() {
        return scan().pids.length > 0;
      },
      async leftAlive() {
        for (let wait = 1; ; wait *= 2) {
          const { pids, unclear } = scan();
          if (pids.length) return true;
          if (!unclear.length || wait > 16) return false;
          await sleep(wait);
        }
      },
      groupAlive() {
        return groupAlive(pid);
      },
      stopReading() {
        void reader.cancel().finally(closeFd);
      },
    };
  },
};
