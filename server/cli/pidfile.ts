// Which process serves a data directory. Two files:
// - <data>/lightflow.lock: an OS lock (an exclusive SQLite lock on an empty
//   database) held for the server's whole life. The kernel drops it when the
//   process dies however it dies, so it never goes stale, and a second server on
//   the same directory cannot take it: it would otherwise take the live server's
//   running runs for crashed ones, kill their steps and alert.
// - <data>/lightflow.pid: the holder's pid, for messages ("pid 1234").
import { Database } from "bun:sqlite";
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../config.ts";

const pidFile = (dataDir: string) => join(dataDir, "lightflow.pid");
const lockFile = (dataDir: string) => join(dataDir, "lightflow.lock");

/** The lock, or null when another process holds it. */
function takeLock(dataDir: string): Database | null {
  closeSync(openSync(lockFile(dataDir), "a", 0o600)); // made 0600 before SQLite opens it
  const db = new Database(lockFile(dataDir));
  try {
    db.exec("PRAGMA busy_timeout = 0");
    db.exec("PRAGMA locking_mode = EXCLUSIVE");
    db.exec("BEGIN EXCLUSIVE");
    return db;
  } catch {
    db.close();
    return null;
  }
}

function recordedPid(dataDir: string): number | null {
  try {
    return Number(readFileSync(pidFile(dataDir), "utf8").trim().split(" ")[0]) || null;
  } catch {
    return null;
  }
}

const heldBy = (dataDir: string) => {
  const pid = recordedPid(dataDir);
  return `another Lightflow server${pid ? ` (pid ${pid})` : ""} is running on ${dataDir}`;
};

/**
 * Takes the data directory for this server, or refuses to start (one line naming
 * the variable, exit 2). Returns the release, for a clean stop.
 */
export function lockDataDir(dataDir: string): () => void {
  const lock = takeLock(dataDir);
  if (!lock) throw new ConfigError(`LIGHTFLOW_DATA_DIR: ${heldBy(dataDir)}; stop it first, or give this one another data directory`);
  writeFileSync(pidFile(dataDir), `${process.pid}\n`, { mode: 0o600 });
  return () => {
    rmSync(pidFile(dataDir), { force: true });
    lock.close();
  };
}

/** A sentence naming the server running on this data directory, or null when none is. */
export function runningServer(dataDir: string): string | null {
  const lock = takeLock(dataDir);
  if (!lock) return heldBy(dataDir);
  lock.close();
  return null;
}
