// `lightflow serve`: config → data directory → stores → engine → HTTP.
import { accessSync, chmodSync, constants, mkdirSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, baseUrlFor, loadConfig, type Config } from "../config.ts";
import { Engine } from "../engine/index.ts";
import { AuthService } from "../auth/service.ts";
import { createApp } from "../http/app.ts";
import { openConfigured } from "./open.ts";
import { PostgresCluster } from "../cluster/postgres.ts";
import { SoloCluster } from "../cluster/cluster.ts";
import { lockDataDir } from "./pidfile.ts";
import { watchAlerts } from "../mail/alerts.ts";
import { ScriptFiles } from "../scripts/service.ts";
import { SharedScripts } from "../scripts/shared.ts";
import { SharedPackages } from "../packages/shared.ts";
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
  // before the database: recovery must never see another live server's runs as crashed
  const unlock = lockDataDir(config.dataDir);
  const stores = openConfigured(config, true);
  const { users, audit, settings } = stores;
  let publicUrl = config.baseUrl;
  // where the other nodes reach this one: LIGHTFLOW_NODE_URL, else the address it listens on
  let nodeUrl = config.nodeUrl ?? config.baseUrl;
  // the solo node too: the engine's default reads config.baseUrl, which says port 0 when the port is picked at listen
  const cluster = config.databaseUrl ? new PostgresCluster(stores.sql, config.databaseUrl, config, () => nodeUrl, stores.onAvailability) : new SoloCluster(config, () => nodeUrl);
  // on a cluster every node has the same scripts (scripts/shared.ts); one node has its directory
  const files = new ScriptFiles({ dir: config.scriptsDir, env: config.stepEnvBase });
  const shared = cluster instanceof PostgresCluster;
  const scripts = shared ? new SharedScripts(files, stores.scriptRows, (version) => cluster.publish({ kind: "scripts", version })) : files;
  const engine = new Engine({ config, stores, cluster, ...(scripts instanceof SharedScripts ? { beforeStep: () => scripts.ready() } : {}) });
  const mailer = createMailer(config.smtp);
  // on a cluster sign-in failures are counted in the database: guesses spread over the nodes count as on one
  const auth = new AuthService({ config, users, audit, mailer, publicUrl: () => publicUrl, ...(shared ? { throttle: stores.throttle } : {}) });
  // on a cluster a package job runs on every node, and any node lists and follows them all
  const packages = shared
    ? new SharedPackages({ pip: { config }, node: config.nodeName, store: stores.packageJobs, members: () => cluster.members().map((n) => n.name), publish: (m) => cluster.publish(m) })
    : undefined;
  if (shared) {
    // an access that ends here ends on every node: each checks the streams it holds
    users.onAccessChange(() => cluster.publish({ kind: "access" }));
    engine.onCluster({
      message: (m) => {
        if (m.kind === "access") auth.accessChangedElsewhere();
        else if (m.kind === "scripts" && scripts instanceof SharedScripts) scripts.heard(m.version);
        else if (m.kind === "packages" || m.kind === "package_job") packages?.heard(m);
      },
      resync: () => {
        auth.accessChangedElsewhere();
        if (scripts instanceof SharedScripts) scripts.heard(null);
        packages?.missed();
      },
    });
  }
  watchAlerts({ bus: engine.bus, users, tasks: stores.tasks, runs: stores.runs, settings, mailer, logs: engine.logs, publicUrl: () => publicUrl });
  const app = createApp({ engine, auth, users, audit, settings, startedAt, scripts, ...(packages ? { packages } : {}) });

  // before "listening" is printed: whoever reads that line may stop the server at once
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`lightflow: ${signal} received, stopping`);
    await engine.shutdown();
    if (app.server) await app.stop(true);
    stores.close();
    unlock();
    console.log("lightflow: stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  try {
    // http/body.ts refuses a body over its limit (by Content-Length, or as it arrives) with a JSON
    // 413 and the usual headers; Bun's own limit would answer first with a bare 413, so it is off
    app.listen({ hostname: config.host, port: config.port, maxRequestBodySize: Number.MAX_SAFE_INTEGER });
  } catch (e) {
    throw new ConfigError(`LIGHTFLOW_BIND: cannot listen on ${config.host}:${config.port} (${(e as Error).message})`);
  }
  const port = app.server!.port!;
  if (config.baseUrlDerived) publicUrl = baseUrlFor(config.host, port);
  nodeUrl = config.nodeUrl ?? baseUrlFor(config.host, port);
  console.log(`lightflow: listening on ${baseUrlFor(config.host, port)} (data in ${config.dataDir}, time zone ${config.timezone})`);
  auth.ensureFirstAdmin();

  // before any step runs (recovery's `always` steps included)
  if (scripts instanceof SharedScripts) await scripts.start();
  await engine.start();
  packages?.start();
  return -1; // keep serving
}
