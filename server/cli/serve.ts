// `lightflow serve`: config → data directory → database → engine → HTTP.
import { accessSync, chmodSync, constants, mkdirSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, baseUrlFor, loadConfig, type Config } from "../config.ts";
import { openDatabase } from "../db/index.ts";
import { Engine } from "../engine/index.ts";
import { AuthService } from "../auth/service.ts";
import { AuditStore } from "../db/audit.ts";
import { UserStore } from "../db/users.ts";
import { createApp } from "../http/app.ts";
import { writePidFile } from "./pidfile.ts";
import { SettingsStore } from "../db/settings.ts";
import { watchAlerts } from "../mail/alerts.ts";
import { createMailer } from "../mail/mailer.ts";

function ensureDir(path: string, variable: string, mode: number): void {
  try {
    mkdirSync(path, { recursive: true, mode });
    accessSync(path, constants.W_OK | constants.X_OK);
  } catch (e) {
    throw new ConfigError(`${variable}: cannot use ${path} as a writable directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

export function prepareDataDir(config: Config): void {
  ensureDir(config.dataDir, "LIGHTFLOW_DATA_DIR", 0o700);
  chmodSync(config.dataDir, 0o700); // readable by the service's user only, even if it existed
  ensureDir(join(config.dataDir, "logs"), "LIGHTFLOW_DATA_DIR", 0o700);
  ensureDir(config.scriptsDir, "LIGHTFLOW_SCRIPTS_DIR", 0o750);
}

export async function serve(): Promise<number> {
  const startedAt = Date.now();
  const config = loadConfig();
  prepareDataDir(config);
  const db = openDatabase(join(config.dataDir, "lightflow.db"));
  const engine = new Engine({ config, db });
  let publicUrl = config.baseUrl;
  const users = new UserStore(db);
  const audit = new AuditStore(db);
  const mailer = createMailer(config.smtp);
  const auth = new AuthService({ config, users, audit, mailer, publicUrl: () => publicUrl });
  const settings = new SettingsStore(db);
  watchAlerts({ bus: engine.bus, users, tasks: engine.tasks, runs: engine.runs, settings, mailer, dataDir: config.dataDir, publicUrl: () => publicUrl });
  const app = createApp({ engine, auth, users, audit, settings, startedAt });
  try {
    // 1 MiB scripts plus room; JSON bodies are far smaller (see http/ for per-route limits)
    app.listen({ hostname: config.host, port: config.port, maxRequestBodySize: 2 * 1024 * 1024 });
  } catch (e) {
    throw new ConfigError(`LIGHTFLOW_BIND: cannot listen on ${config.host}:${config.port} (${(e as Error).message})`);
  }
  const port = app.server!.port!;
  if (config.baseUrlDerived) publicUrl = baseUrlFor(config.host, port);
  console.log(`lightflow: listening on ${baseUrlFor(config.host, port)} (data in ${config.dataDir}, time zone ${config.timezone})`);
  auth.ensureFirstAdmin();
  const removePidFile = writePidFile(config.dataDir);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`lightflow: ${signal} received, stopping`);
    await engine.shutdown();
    await app.stop(true);
    db.close();
    removePidFile();
    console.log("lightflow: stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  await engine.start();
  return -1; // keep serving
}
