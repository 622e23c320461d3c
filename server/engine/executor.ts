// Starts one step as a subprocess in its own session and process group, with
// stdin closed and stdout+stderr sharing one pipe (so the log keeps the exact
// order the program wrote in). The scheduler only sees this small interface.
import { dlopen, FFIType, ptr } from "bun:ffi";
import { accessSync, closeSync, constants, statSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { groupAlive, procStartTimeAsync, processesWithEnv, signalGroup, signalProcesses } from "./proc.ts";

export interface StepSpec {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** a unique value in the environment that marks every process of this step */
  token: { name: string; value: string };
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
  /** whether a process that left the group (found by the step's token) still lives */
  escapedAlive(): boolean;
  /** signal the process group only: cheap, for the normal end of a step */
  signalGroup(sig: NodeJS.Signals): void;
  groupAlive(): boolean;
  stopReading(): void;
}

export interface Executor {
  /** Throws StartError with a reason a person can act on when the program cannot start. */
  start(spec: StepSpec): StepProcess;
}

export class StartError extends Error {}

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
    if (!found) throw new StartError(`command not found: "${command}" is not in PATH (${path})`);
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
    const [readFd, writeFd] = pipe();
    let proc: ReturnType<typeof Bun.spawn>;
    try {
      proc = Bun.spawn([file, ...spec.args], {
        cwd: spec.cwd,
        env: spec.env,
        stdin: "ignore",
        stdout: writeFd,
        stderr: writeFd,
        detached: true, // setsid: own session and process group, pgid = pid
      });
    } catch (e) {
      closeSync(readFd);
      throw new StartError(`cannot start ${file}: ${(e as Error).message}`);
    } finally {
      closeSync(writeFd);
    }
    const pid = proc.pid;
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
        signalProcesses(processesWithEnv(spec.token.name, spec.token.value), sig);
      },
      signalGroup(sig) {
        signalGroup(pid, sig);
      },
      escapedAlive() {
        return processesWithEnv(spec.token.name, spec.token.value).length > 0;
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
