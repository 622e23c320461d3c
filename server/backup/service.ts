// Backups: a consistent snapshot of the database while the server runs
// (VACUUM INTO), alone or with the scripts and logs as one tar; restore into
// an empty data directory.
import type { Database } from "bun:sqlite";
import { Database as Sqlite } from "bun:sqlite";
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readSync, renameSync, rmdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { extractTar, filesBelow, tarStream, writeTar, type TarEntry } from "./tar.ts";

const SQLITE_MAGIC = "SQLite format 3\0";

/** Writes a consistent copy of the live database to `file` (which must not exist). */
export function snapshotDatabase(db: Database, file: string): void {
  db.query("VACUUM INTO ?").run(file);
}

export interface BackupParts {
  dataDir: string;
  scriptsDir: string;
}

/** A temporary snapshot, for the archive; the caller removes the directory. */
export function temporarySnapshot(db: Database): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), "lightflow-backup-"));
  const file = join(dir, "lightflow.db");
  snapshotDatabase(db, file);
  return { dir, file };
}

export function archiveEntries(snapshot: string, parts: BackupParts): TarEntry[] {
  const st = statSync(snapshot);
  return [
    { name: "lightflow.db", path: snapshot, mode: 0o600, mtime: st.mtimeMs, size: st.size },
    ...filesBelow(parts.scriptsDir, "scripts"),
    ...filesBelow(join(parts.dataDir, "logs"), "logs"),
  ];
}

export { tarStream, writeTar };

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
    if (isSqliteFile(file)) {
      copyFileSync(file, join(staging, "lightflow.db"));
    } else {
      let names: string[];
      try {
        names = extractTar(file, staging);
      } catch (e) {
        return { error: "not_a_backup", detail: (e as Error).message };
      }
      if (!names.includes("lightflow.db")) return { error: "not_a_backup", detail: "the archive holds no lightflow.db" };
      files = names.length;
    }
    const check = new Sqlite(join(staging, "lightflow.db"), { readonly: true });
    try {
      const ok = check.query<{ integrity_check: string }, []>("PRAGMA integrity_check").get()?.integrity_check;
      if (ok !== "ok") return { error: "corrupt", detail: `integrity check: ${ok}` };
    } catch (e) {
      return { error: "not_a_backup", detail: (e as Error).message };
    } finally {
      check.close();
    }
    renameSync(join(staging, "lightflow.db"), join(dataDir, "lightflow.db"));
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
