// Routes: tasks as code.
//   GET  /api/export                admin   the setup file (pools, non-secret variables, tasks)
//   POST /api/import[?dry_run=1]    admin   the setup file → {dry_run, changes}
import { Elysia, t } from "elysia";
import type { AuditStore } from "../engine/stores.ts";
import type { Engine } from "../engine/index.ts";
import { exportSetup, planImport, SetupError, type SetupFile } from "../engine/setup.ts";
import { ErrorBody } from "../schema/common.ts";
import { ImportResultOut, SetupFileSchema } from "../schema/tasks.ts";
import { invalid } from "./errors.ts";
import type { guard } from "./guard.ts";

export function setupRoutes(engine: Engine, audit: AuditStore, auth: ReturnType<typeof guard>) {
  return new Elysia({ name: "setup" })
    .use(auth)
    .get(
      "/api/export",
      () =>
        new Response(JSON.stringify(exportSetup(engine.setupTarget()), null, 2) + "\n", {
          headers: { "content-type": "application/json; charset=utf-8", "content-disposition": 'inline; filename="lightflow-setup.json"' },
        }),
      { role: "admin", detail: { summary: "Export pools, non-secret variables and tasks as one file" } },
    )
    .post(
      "/api/import",
      ({ body, query, principal }) => {
        const dryRun = query.dry_run === "1" || query.dry_run === "true";
        let plan;
        try {
          plan = planImport(engine.setupTarget(), body as SetupFile);
        } catch (e) {
          if (e instanceof SetupError) throw invalid(e.message, e.field);
          throw e;
        }
        if (!dryRun) {
          engine.applySetup(plan);
          const changed = plan.changes.filter((c) => c.action === "create" || c.action === "update");
          audit.add(principal.user.email, "setup.import", `${changed.length} changes`, changed.map((c) => `${c.action} ${c.kind} ${c.name}`).join(", ").slice(0, 2000));
        }
        return { dry_run: dryRun, changes: plan.changes };
      },
      {
        role: "admin",
        body: SetupFileSchema,
        query: t.Object({ dry_run: t.Optional(t.Union([t.Literal("1"), t.Literal("0"), t.Literal("true"), t.Literal("false")], { error: "dry_run: 1 or 0" })) }),
        response: { 200: ImportResultOut, 422: ErrorBody },
      },
    );
}
