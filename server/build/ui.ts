// Builds the SolidJS UI into client/dist when it is missing or older than its
// sources, then its brotli and gzip copies when they are missing or older than
// the files. `bun start` and `bun run build` call this first.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { compressedIsStale, precompress } from "./precompress.ts";

const ROOT = join(import.meta.dir, "..", "..");
const CLIENT = join(ROOT, "client");
const DIST = join(CLIENT, "dist");
const BUILT = join(DIST, "index.html");

function newest(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** Whether Vite must run: client/dist is missing or older than the sources. The compressed copies are checked apart (buildUi). */
export function uiIsStale(): boolean {
  if (!existsSync(BUILT)) return true;
  // the client imports the limits its forms check from the server's schema (server/schema/limits.ts)
  const sources = [join(CLIENT, "src"), join(CLIENT, "index.html"), join(CLIENT, "vite.config.ts"), join(CLIENT, "public"), join(ROOT, "server", "schema", "limits.ts")].filter(existsSync);
  return Math.max(...sources.map(newest), statSync(join(ROOT, "package.json")).mtimeMs) > statSync(BUILT).mtimeMs;
}

export async function buildUi(force = false): Promise<void> {
  if (force || uiIsStale()) await vite();
  // apart from Vite's staleness: a client/dist built before the copies existed, or by Vite alone
  // (tests/helpers/ui.ts), gets them here without building it again
  else if (!compressedIsStale(DIST)) return;
  const n = await precompress(DIST);
  console.log(`lightflow: compressed ${n} UI files (.br, .gz)`);
}

async function vite(): Promise<void> {
  console.log("lightflow: building the UI (client/dist)…");
  const proc = Bun.spawn(["bun", "x", "vite", "build", "--config", join(CLIENT, "vite.config.ts"), "--logLevel", "warn"], {
    cwd: ROOT,
    // a production build even when called from a test (bun test sets NODE_ENV=test, and Solid would bundle its dev build)
    env: { ...process.env, NODE_ENV: "production" },
    stdout: "inherit",
    stderr: "inherit",
  });
  if ((await proc.exited) !== 0) throw new Error("the UI build failed (see above)");
}

if (import.meta.main) {
  try {
    await buildUi(process.argv.includes("--force"));
  } catch (e) {
    console.error(`lightflow: ${(e as Error).message}`);
    process.exit(1);
  }
}
