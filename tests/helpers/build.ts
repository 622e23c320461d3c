// The compiled executable, built by `bun run build` only when dist/ has none
// newer than every source: emulated tests rerun without paying for a build.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..", "..");

/** The newest mtime under `path`, leaving out build output (client/dist). */
function newest(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  const inside = readdirSync(path)
    .filter((name) => !(name === "dist" && path.endsWith("client")))
    .map((name) => newest(join(path, name)));
  return Math.max(st.mtimeMs, ...inside);
}

/** Where server/build/compile.ts writes the executable for `target` ("bun-linux-arm64" → dist/lightflow-linux-arm64). */
export const executablePath = (target?: string) => join(ROOT, "dist", target ? `lightflow-${target.replace(/^bun-/, "")}` : "lightflow");

/** Builds the executable for `target` unless dist/ already holds one newer than server/, client/, package.json and bun.lock; returns its path. */
export async function builtExecutable(target?: string): Promise<string> {
  const out = executablePath(target);
  const sources = ["server", "client", "package.json", "bun.lock"].map((p) => join(ROOT, p)).filter(existsSync);
  if (existsSync(out) && statSync(out).mtimeMs > Math.max(...sources.map(newest))) return out;
  const build = Bun.spawn(["bun", "run", "build", ...(target ? ["--", "--target", target] : [])], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(build.stdout).text(), new Response(build.stderr).text(), build.exited]);
  if (code !== 0) throw new Error(`bun run build${target ? ` --target ${target}` : ""} failed:\n${stdout}\n${stderr}`);
  return out;
}
