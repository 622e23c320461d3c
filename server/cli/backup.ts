// `lightflow backup <file> [--logs]` and `lightflow restore <file>`.
// backup works while the server runs (VACUUM INTO on the WAL database);
// restore fills an empty data directory before the first start.
import { existsSync } from "node:fs";
import { backupToFile, restore } from "../backup/service.ts";
import { ConfigError, loadConfig } from "../config.ts";
import { openExisting } from "./open.ts";

/** On PostgreSQL the database is backed up with its own tools; say so rather than half a backup. */
function refusedOnPostgres(what: string): number {
  console.error(
    `lightflow: ${what} works on the SQLite store only; with LIGHTFLOW_DATABASE_URL back up the database with pg_dump ` +
      "and the data directory (logs, scripts) with tar, and keep the tasks as code with `lightflow export` (README, \"PostgreSQL\")",
  );
  return 2;
}

export async function backup(file: string, withLogs: boolean): Promise<number> {
  const config = loadConfig();
  if (config.databaseUrl) return refusedOnPostgres("backup");
  const stores = openExisting(config);
  try {
    const made = await backupToFile(stores.snapshot, { dataDir: config.dataDir, scriptsDir: config.scriptsDir }, file, withLogs);
    if (made === "exists") {
      console.error(`lightflow: ${file} already exists; choose a new file name`);
      return 1;
    }
    if (typeof made !== "number") {
      console.error(`lightflow: backup failed, nothing was written: ${made.detail}`);
      return 1;
    }
    console.log(withLogs ? `lightflow: database, scripts and logs (${made} entries) backed up to ${file}` : `lightflow: database backed up to ${file}`);
    return 0;
  } finally {
    stores.close();
  }
}

export function restoreBackup(file: string): number {
  const config = loadConfig();
  if (config.databaseUrl) return refusedOnPostgres("restore");
  if (!existsSync(file)) {
    console.error(`lightflow: no such file: ${file}`);
    return 1;
  }
  const r = restore(file, config.dataDir, config.scriptsDir);
  if ("error" in r) {
    const why = { not_empty: "the data directory must be empty", not_a_backup: "not a Lightflow backup", corrupt: "the database in it is damaged" }[r.error];
    console.error(`lightflow: cannot restore: ${why} (${r.detail})`);
    return 1;
  }
  console.log(`lightflow: restored ${r.files} files into ${config.dataDir}; start the server as usual`);
  return 0;
}
