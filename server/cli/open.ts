// The stores of an existing data directory, for the commands that work beside
// (or without) a running server: backup, export, import, reset-password.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, redactUrl, type Config } from "../config.ts";
import { openPostgresStores, openStores, type AllStores } from "../db/index.ts";

/**
 * The configured store: PostgreSQL at LIGHTFLOW_DATABASE_URL, or SQLite in the
 * data directory (made if new). `server`: the serving process, a node, which
 * holds its name on the database (commands beside it do not).
 */
export function openConfigured(config: Config, server = false): AllStores {
  // the audit log names the node (or the host a command runs on)
  if (!config.databaseUrl) return openStores(join(config.dataDir, "lightflow.db"), { auditNode: config.nodeName });
  const url = config.databaseUrl;
  try {
    return openPostgresStores(url, { auditNode: config.nodeName, ...(server ? { node: config.nodeName } : {}) });
  } catch (e) {
    if ((e as Error).message.startsWith("LIGHTFLOW_NODE_NAME:")) throw new ConfigError((e as Error).message);
    // the reason as PostgreSQL or the client gave it, never the password
    const password = new URL(url).password;
    let why = (e as Error).message;
    if (password) why = why.replaceAll(decodeURIComponent(password), "***").replaceAll(password, "***");
    throw new ConfigError(`LIGHTFLOW_DATABASE_URL: cannot use ${redactUrl(url)}: ${why}`);
  }
}

export function openExisting(config: Config): AllStores {
  if (config.databaseUrl) return openConfigured(config);
  const path = join(config.dataDir, "lightflow.db");
  if (!existsSync(path)) throw new ConfigError(`LIGHTFLOW_DATA_DIR: no Lightflow database in ${config.dataDir}`);
  return openStores(path, { auditNode: config.nodeName });
}
