// The venv and its pip. Every command runs as `<venv>/bin/python -I -m pip`:
// `-I` keeps the working directory and PYTHON* variables off sys.path, and
// `-m pip` does not depend on the `pip` script's shebang (which breaks on long
// venv paths). pip's index settings come from the server's environment
// (PIP_INDEX_URL and friends), already stripped of LIGHTFLOW_* and SMTP_*.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Config } from "../config.ts";
import { processExecutor, StartError, type Executor } from "../engine/executor.ts";
import type { JobWork } from "./jobs.ts";

export interface InstalledPackage {
  name: string;
  version: string;
}

export interface PipOptions {
  config: Pick<Config, "pythonLibsDir" | "stepEnvBase">;
  executor?: Executor;
  /** a job (venv creation plus pip) is killed after this long */
  jobTimeoutMs?: number;
  listTimeoutMs?: number;
}

/** Marks every process of a pip job, so a timeout kills the whole tree. */
const TOKEN_VAR = "LF_PACKAGE_JOB";
const COMMON = ["--disable-pip-version-check", "--no-input"];

const lastLine = (s: string) => s.trim().split("\n").at(-1) ?? "";

export class Pip {
  private readonly venv: string;
  private readonly python: string;
  private readonly env: Record<string, string>;
  private readonly executor: Executor;
  private readonly jobTimeoutMs: number;
  private readonly listTimeoutMs: number;
  /** while the first job makes the venv, its pip is not there yet: the list is still empty */
  private creatingVenv = false;

  constructor({ config, executor = processExecutor, jobTimeoutMs = 15 * 60_000, listTimeoutMs = 60_000 }: PipOptions) {
    this.venv = config.pythonLibsDir;
    this.python = join(this.venv, "bin", "python");
    // unbuffered, so the output reaches the followers as pip writes it
    this.env = { ...config.stepEnvBase, PYTHONUNBUFFERED: "1" };
    this.executor = executor;
    this.jobTimeoutMs = jobTimeoutMs;
    this.listTimeoutMs = listTimeoutMs;
  }

  hasVenv(): boolean {
    return existsSync(this.python);
  }

  /** Installed packages; empty while there is no venv. */
  async list(): Promise<InstalledPackage[] | { failed: string }> {
    if (!this.hasVenv() || this.creatingVenv) return [];
    const proc = Bun.spawn([this.python, "-I", "-m", "pip", "list", "--format=json", ...COMMON], {
      cwd: this.venv,
      env: this.env,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      timeout: this.listTimeoutMs,
      killSignal: "SIGKILL",
    });
    const [out, err, exit] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    if (exit !== 0) return { failed: `pip list ended with ${proc.signalCode ?? `exit ${exit}`}: ${lastLine(err)}` };
    const found = JSON.parse(out) as { name: string; version: string }[];
    return found.map((p) => ({ name: p.name, version: p.version }));
  }

  /** The work of one job: the venv first when missing, then pip. */
  readonly work: JobWork = async (job, write) => {
    const deadline = Date.now() + this.jobTimeoutMs;
    if (!this.hasVenv()) {
      mkdirSync(dirname(this.venv), { recursive: true });
      this.creatingVenv = true;
      try {
        if (!(await this.exec("python3", ["-I", "-m", "venv", this.venv], dirname(this.venv), deadline, write))) return false;
      } finally {
        this.creatingVenv = false;
      }
    }
    const args =
      job.action === "install"
        ? ["-I", "-m", "pip", "install", ...COMMON, "--progress-bar", "off", job.requirement]
        : ["-I", "-m", "pip", "uninstall", "--yes", ...COMMON, job.requirement];
    return this.exec(this.python, args, this.venv, deadline, write);
  };

  private async exec(command: string, args: string[], cwd: string, deadline: number, write: (text: string) => void): Promise<boolean> {
    write(`$ ${[command, ...args].join(" ")}\n`);
    const token = randomBytes(12).toString("hex");
    let proc;
    try {
      proc = this.executor.start({ command, args, cwd, env: { ...this.env, [TOKEN_VAR]: token }, token: { name: TOKEN_VAR, value: token } });
    } catch (e) {
      if (!(e instanceof StartError)) throw e;
      write(`[lightflow] ${e.message}\n`);
      return false;
    }
    const p = proc;
    // pip runs in its own process group: it must not outlive the server
    const killOnExit = () => p.signal("SIGKILL");
    process.on("exit", killOnExit);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      p.signal("SIGKILL");
    }, Math.max(0, deadline - Date.now()));
    try {
      const decoder = new TextDecoder();
      for await (const chunk of p.output) write(decoder.decode(chunk, { stream: true }));
      write(decoder.decode());
      const { exitCode, signal } = await p.exited;
      if (timedOut) write(`[lightflow] stopped: the job took longer than ${Math.round(this.jobTimeoutMs / 60_000)} minutes\n`);
      else if (exitCode !== 0) write(`[lightflow] ${command.split("/").at(-1)} ended with ${signal ?? `exit ${exitCode}`}\n`);
      return exitCode === 0 && !timedOut;
    } finally {
      clearTimeout(timer);
      process.off("exit", killOnExit);
    }
  }
}
