// <data>/lightflow.pid: which process serves this data directory. Commands that
// change the database behind the server's back (import) look here first. A pid
// is believed only with the start time recorded beside it (pids are reused).
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { procStartTime } from "../engine/proc.ts";

const file = (dataDir: string) => join(dataDir, "lightflow.pid");

export function writePidFile(dataDir: string): () => void {
  writeFileSync(file(dataDir), `${process.pid} ${procStartTime(process.pid) ?? 0}\n`, { mode: 0o600 });
  return () => rmSync(file(dataDir), { force: true });
}

/** The pid of the server running on this data directory, or null. */
export function runningServer(dataDir: string): number | null {
  try {
    const [pid, start] = readFileSync(file(dataDir), "utf8").trim().split(" ").map(Number);
    return pid && procStartTime(pid) === start ? pid : null;
  } catch {
    return null;
  }
}
