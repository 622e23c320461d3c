// The HTTP application: one Elysia plugin per resource, joined here.
import { openapi } from "@elysiajs/openapi";
import { Elysia } from "elysia";
import { UserAdmin } from "../auth/admin.ts";
import type { AuthService } from "../auth/service.ts";
import type { AuditStore, SettingsStore } from "../engine/stores.ts";
import type { UserStore } from "../auth/store.ts";
import type { Engine } from "../engine/index.ts";
import { Packages, type PackageService } from "../packages/service.ts";
import { Ok } from "../schema/common.ts";
import { AboutOut } from "../schema/resources.ts";
import { ScriptFiles, type ScriptEditor } from "../scripts/service.ts";
import { BUILD_COMMIT, BUILD_DATE, VERSION } from "../version.ts";
import { authRoutes } from "./auth.ts";
import { backupRoutes } from "./backup.ts";
import { bodyLimits } from "./body.ts";
import { crontabRoutes } from "./crontab.ts";
import { allowedMethodsOf, errorHandling } from "./errors.ts";
import { guard } from "./guard.ts";
import { securityHeaders } from "./headers.ts";
import { internalRoutes } from "./internal.ts";
import { liveRoutes } from "./live.ts";
import { packageRoutes } from "./packages.ts";
import { metricsRoutes } from "./metrics.ts";
import { nodeRoutes } from "./nodes.ts";
import { poolRoutes } from "./pools.ts";
import { runRoutes } from "./runs.ts";
import { rawScriptBody, scriptRoutes } from "./scripts.ts";
import { settingsRoutes } from "./settings.ts";
import { setupRoutes } from "./setup.ts";
import { staticRoutes, uiSource } from "./static.ts";
import { taskRoutes } from "./tasks.ts";
import { userRoutes } from "./users.ts";
import { variableRoutes } from "./variables.ts";

export interface AppDeps {
  engine: Engine;
  auth: AuthService;
  users: UserStore;
  audit: AuditStore;
  settings: SettingsStore;
  startedAt: number;
  /** the editor's files; on a cluster shared through the database (scripts/shared.ts) */
  scripts?: ScriptEditor;
  /** the venv's packages; on a cluster every node's (packages/shared.ts) */
  packages?: PackageService;
}

export function createApp(d: AppDeps) {
  const { engine } = d;
  const { config } = engine;
  const access = guard(d.auth, config);
  const routes: { list: () => readonly { method: string; path: string }[] } = { list: () => [] };
  const app = new Elysia({ normalize: false })
    .use(errorHandling(allowedMethodsOf(() => routes.list())))
    .use(securityHeaders(config.cookieSecure))
    .use(bodyLimits(rawScriptBody))
    .use(
      openapi({
        // no documentation page: it would load its viewer from a CDN, which the CSP (script-src 'self')
        // refuses and an offline server cannot reach; the document itself is what tools read
        provider: null,
        specPath: "/api/openapi.json",
        documentation: { info: { title: "Lightflow", version: VERSION, description: "The Lightflow HTTP API (see api.md)." } },
      }),
    )
    // 503 while the database cannot be reached (PostgreSQL restarting): see errors.ts
    .get("/api/alive", () => (engine.pingStore(), { ok: true as const }), { response: Ok })
    .get("/api/about", () => ({
      version: VERSION,
      commit: BUILD_COMMIT || config.gitCommit,
      build_date: BUILD_DATE,
      started_at: new Date(d.startedAt).toISOString(),
      timezone: config.timezone,
    }), { response: AboutOut })
    .use(authRoutes(d.auth, d.users, config, access))
    .use(taskRoutes(engine, d.audit, access))
    .use(runRoutes(engine, d.audit, engine.logs, access))
    .use(poolRoutes(engine, d.audit, access))
    .use(variableRoutes(engine, d.audit, access))
    .use(userRoutes(d.auth, new UserAdmin(d.users, d.audit), d.users, d.audit, access))
    .use(scriptRoutes(d.scripts ?? new ScriptFiles({ dir: config.scriptsDir, env: config.stepEnvBase }), d.audit, access))
    .use(packageRoutes(d.packages ?? new Packages({ config, node: engine.cluster.name }), d.audit, access, config))
    .use(settingsRoutes(d.settings, d.audit, access))
    .use(metricsRoutes(engine, access))
    .use(nodeRoutes(engine, access))
    .use(backupRoutes(engine, d.audit, access))
    .use(setupRoutes(engine, d.audit, access))
    .use(crontabRoutes(engine, d.audit, access))
    .use(liveRoutes(engine, engine.logs, access))
    .use(internalRoutes(engine))
    .use(staticRoutes(uiSource(config.staticDir)));
  routes.list = () => app.routes;
  return app;
}

export type App = ReturnType<typeof createApp>;
