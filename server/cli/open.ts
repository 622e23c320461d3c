// The stores of an existing data directory, for the commands that work beside
// (or without) a running server: backup, export, import, reset-password.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, type Config } from "../config.ts";
import { openStores, type SqliteStores } from "../db/index.ts";

export function openExisting(config: Config): SqliteStores {
  const path = join(config.dataDir, "lightflow.db");
  if (!existsSync(path)) throw new ConfigError(`LIGHTFLOW_DATA_DIR: no Lightflow database in ${config.dataDir}`);
  return openStores(path);
}
