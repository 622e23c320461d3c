// Backups: a consistent snapshot of the database while the server runs
// (VACUUM INTO), alone or with the scripts and logs as one tar; restore into
// an empty data directory. The database holds password hashes and secrets:
// every copy of it, and every archive, is 0600 whatever the umask.
import { Database as Sqlite } from "bun:sqlite";
import { chmodSync, closeSync, copyFileSync, existsSync, fchmodSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readSync, renameSync, rmdirSync, rmSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { errno, extractTar, TarWriter } from "./tar.ts";

const SQLITE_MAGIC = "SQLite format 3\0";
/** A backup's temporary files live in `<data>/.backup-<pid>-XXXXXX/` (0700), never in the shared temp directory. */
const WORK_PREFIX = ".backup-";

export interface BackupParts {
  dataDir: string;
  scriptsDir: string;
}

export interface BackupFailure {
  error: "backup_failed";
  detail: string;
}

/** A failure of the disk or the database file (full, unreadable, a path too long) is expected: a value. Anything else is a bug. */
function failed(e: unknown): BackupFailure {
  if (!errno(e)) throw e;
  return { error: "backup_failed", detail: (e as Error).message };
}

/** Writes a consistent copy of the live database to `file`, which must not exist, 0600 (Stores.snapshot). */
export type Snapshot = (file: string) => void;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errno(e) === "EPERM";
  }
};

const WORK_DIR = new RegExp(`^${WORK_PREFIX.replace(".", "\\.")}(\\d+)-`);

/** A private directory for one backup; what a dead process left behind (kill -9 mid-backup) is removed first. */
function workDir(dataDir: string): string {
  for (const n of readdirSync(dataDir)) {
    const pid = WORK_DIR.exec(n)?.[1];
    if (pid && !alive(Number(pid))) rmSync(join(dataDir, n), { recursive: true, force: true });
  }
  return mkdtempSync(join(dataDir, `${WORK_PREFIX}${process.pid}-`));
}

/** The tar: the snapshot, the scripts and the logs, symlinks as symlinks. Returns the number of entries. */
async function writeArchive(snapshot: Snapshot, parts: BackupParts, out: FileHandle, work: string): Promise<number> {
  const copy = join(work, "lightflow.db");
  snapshot(copy);
  const tar = new TarWriter(out);
  await tar.file("lightflow.db", copy);
  await tar.tree(parts.scriptsDir, "scripts");
  await tar.tree(join(parts.dataDir, "logs"), "logs");
  await tar.end();
  return tar.count;
}

export interface BuiltBackup {
  /** open for reading, and already unlinked: closing it frees the space */
  file: FileHandle;
}

/**
 * The whole backup, built before a byte of it is sent, so a failure can still
 * be answered as an error. What comes back is an open file whose name is
 * already gone: however the download ends, and even if the server dies,
 * nothing is left on disk.
 */
export async function buildBackup(snapshot: Snapshot, parts: BackupParts, withLogs: boolean): Promise<BuiltBackup | BackupFailure> {
  let work: string | undefined;
  try {
    work = workDir(parts.dataDir);
    const path = join(work, withLogs ? "backup.tar" : "backup.db");
    if (withLogs) {
      const out = await open(path, "wx", 0o600);
      try {
        await writeArchive(snapshot, parts, out, work);
      } finally {
        await out.close();
      }
    } else snapshot(path);
    return { file: await open(path, "r") };
  } catch (e) {
    return failed(e);
  } finally {
    if (work) rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Writes a new `file` (0600): the database alone, or with `withLogs` the tar.
 * On failure neither `file` nor a temporary file is left. Returns the number
 * of entries written.
 */
export async function backupToFile(snapshot: Snapshot, parts: BackupParts, file: string, withLogs: boolean): Promise<number | "exists" | BackupFailure> {
  if (!withLogs) {
    try {
      snapshot(file);
      return 1;
    } catch (e) {
      return errno(e) === "EEXIST" ? "exists" : failed(e);
    }
  }
  let out: FileHandle;
  try {
    out = await open(file, "wx", 0o600);
    await out.chmod(0o600);
  } catch (e) {
    return errno(e) === "EEXIST" ? "exists" : failed(e);
  }
  let work: string | undefined;
  let ok = false;
  try {
    work = workDir(parts.dataDir);
    const count = await writeArchive(snapshot, parts, out, work);
    ok = true;
    return count;
  } catch (e) {
    return failed(e);
  } finally {
    await out.close();
    if (!ok) rmSync(file, { force: true });
    if (work) rmSync(work, { recursive: true, force: true });
  }
}

export function isSqliteFile(file: string): boolean {
  const fd = openSync(file, "r");
  try {
    const b = Buffer.alloc(16);
    return readSync(fd, b, 0, 16, 0) === 16 && b.toString("latin1") === SQLITE_MAGIC;
  } finally {
    closeSync(fd);
  }
}

export type RestoreError = "not_empty" | "not_a_backup" | "corrupt";

/**
 * Restores a `.db` snapshot or a backup tar into `dataDir`, which must hold no
 * database yet. The database is checked before it is put in place.
 */
export function restore(file: string, dataDir: string, scriptsDir: string): { files: number } | { error: RestoreError; detail: string } {
  if (existsSync(join(dataDir, "lightflow.db"))) return { error: "not_empty", detail: `${dataDir} already holds a database` };
  if (existsSync(dataDir) && readdirSync(dataDir).some((n) => n !== "scripts" && n !== "logs" && n !== "python-libs")) {
    return { error: "not_empty", detail: `${dataDir} is not empty` };
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const staging = mkdtempSync(join(dataDir, ".restore-"));
  try {
    let files = 1;
    const db = join(staging, "lightflow.db");
    if (isSqliteFile(file)) {
      copyFileSync(file, db);
    } else {
      let got;
      try {
        // Lightflow makes no links of its own; links elsewhere than below scripts/ are left out
        got = extractTar(file, staging, (name) => name.startsWith("scripts/"));
      } catch (e) {
        return { error: "not_a_backup", detail: (e as Error).message };
      }
      // a link named lightflow.db would make the check below open whatever it points to
      if (!got.files.includes("lightflow.db") || got.links.includes("lightflow.db")) {
        return { error: "not_a_backup", detail: "the archive holds no lightflow.db file" };
      }
      files = got.files.length + got.links.length;
    }
    for (const dir of ["scripts", "logs"]) {
      const st = lstatSync(join(staging, dir), { throwIfNoEntry: false });
      if (st && !st.isDirectory()) return { error: "not_a_backup", detail: `${dir} in the archive is not a directory` };
    }
    // copied from a 0644 snapshot (older Lightflow), or extracted: the restored database is 0600 all the same
    chmodSync(db, 0o600);
    const check = new Sqlite(db, { readonly: true });
    try {
      const ok = check.query<{ integrity_check: string }, []>("PRAGMA integrity_check").get()?.integrity_check;
      if (ok !== "ok") return { error: "corrupt", detail: `integrity check: ${ok}` };
    } catch (e) {
      return { error: "not_a_backup", detail: (e as Error).message };
    } finally {
      check.close();
    }
    renameSync(db, join(dataDir, "lightflow.db"));
    if (existsSync(join(staging, "logs"))) {
      if (existsSync(join(dataDir, "logs"))) rmdirSync(join(dataDir, "logs")); // empty (checked above), or this throws
      renameSync(join(staging, "logs"), join(dataDir, "logs"));
    }
    if (existsSync(join(staging, "scripts"))) {
      rmSync(scriptsDir, { recursive: true, force: true });
      mkdirSync(join(scriptsDir, ".."), { recursive: true });
      renameSync(join(staging, "scripts"), scriptsDir);
    }
    return { files };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
