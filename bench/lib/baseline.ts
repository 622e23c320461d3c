// Baselines measured in the same run: the compiled empty Bun.serve (idle cost,
// start-up) and raw Bun.spawn (spawn-bound work).
import { rmSync } from "node:fs";
import { join } from "node:path";
import { nsToMs, wallMs } from "./clock.ts";
import { tempDir } from "./data.ts";
import { adopt } from "./server.ts";

export interface EmptyServer {
  path: string;
  cleanup(): void;
}

/** `bun build --compile` of empty-server.ts into a temp directory. */
export async function compileEmptyServer(): Promise<EmptyServer> {
  const dir = tempDir("empty");
  const path = join(dir, "empty-server");
  const p = Bun.spawn(["bun", "build", "--compile", "--minify", join(import.meta.dir, "empty-server.ts"), "--outfile", path], {
    stdout: "ignore",
    stderr: "pipe",
  });
  if ((await p.exited) !== 0) throw new Error(`compiling the empty server failed: ${await new Response(p.stderr).text()}`);
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Child {
  pid: number;
  url: string;
  stop(): Promise<void>;
}

export async function startEmpty(bin: string, port = 0, waitListening = true): Promise<Child> {
  const proc = adopt(Bun.spawn([bin], { env: { PORT: String(port) }, stdin: "ignore", stdout: "pipe", stderr: "inherit" }));
  let url = `http://127.0.0.1:${port}`;
  if (waitListening) {
    const reader = proc.stdout.getReader();
    const decoder = new TextDecoder();
    let text = "";
    const deadline = Date.now() + 10_000;
    while (!/listening on (\S+)\n/.test(text) && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    const m = /listening on (\S+)\n/.exec(text);
    if (!m) {
      proc.kill("SIGKILL");
      throw new Error(`the empty server did not start: ${text}`);
    }
    url = m[1]!;
    reader.releaseLock();
    void proc.stdout.pipeTo(new WritableStream()).catch(() => {});
  }
  return {
    pid: proc.pid,
    url,
    async stop() {
      proc.kill("SIGKILL"); // nothing to shut down cleanly
      await proc.exited;
    },
  };
}

/** Raw Bun.spawn of `date +%s%N`: ms from just before the spawn call to the time date printed. */
export async function spawnToFirstByte(): Promise<number> {
  const t0 = wallMs();
  const p = Bun.spawn(["date", "+%s%N"], { stdout: "pipe", stderr: "ignore", stdin: "ignore" });
  const out = await new Response(p.stdout).text();
  await p.exited;
  return nsToMs(out) - t0;
}

/** Raw Bun.spawn(["true"]) `n` times, `width` at a time; returns runs per second. */
export async function spawnRate(n: number, width: number): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < n) {
      next++;
      await Bun.spawn(["true"], { stdin: "ignore", stdout: "ignore", stderr: "ignore" }).exited;
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return n / ((performance.now() - t0) / 1000);
}
