// Routes: crontab import.
//   POST /api/import/crontab[?dry_run=1&system=1&prefix=&run_as=&source=]   admin   text/plain crontab → {dry_run, lines}
import { Elysia } from "elysia";
import { planCrontab } from "../engine/crontab-plan.ts";
import type { Engine } from "../engine/index.ts";
import type { AuditStore } from "../engine/stores.ts";
import { ErrorBody } from "../schema/common.ts";
import { CrontabImportOut, CrontabImportQuery } from "../schema/crontab.ts";
import { readBody } from "./body.ts";
import { HttpError, invalid } from "./errors.ts";
import type { guard } from "./guard.ts";

/** A crontab is small; a megabyte of one is a mistake (the whole of /etc/cron.d is a few KiB). */
const MAX_CRONTAB = 1024 * 1024;
const yes = (flag: string | undefined) => flag === "1" || flag === "true";

export function crontabRoutes(engine: Engine, audit: AuditStore, auth: ReturnType<typeof guard>) {
  return new Elysia({ name: "crontab" })
    .use(auth)
    .post(
      "/api/import/crontab",
      async ({ request, query, principal }) => {
        const bytes = await readBody(request, MAX_CRONTAB, () => new HttpError(413, "the crontab is larger than 1 MiB"));
        let text: string;
        try {
          text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
        } catch {
          throw invalid("body: the crontab is not UTF-8 text", "body");
        }
        if (text.includes("\0")) throw invalid("body: the crontab has a NUL byte", "body");
        const dryRun = yes(query.dry_run);
        const target = engine.setupTarget();
        const plan = planCrontab(
          text,
          { system: yes(query.system), prefix: query.prefix ?? null, runAs: query.run_as ?? null, source: query.source ?? "crontab", timezone: engine.config.timezone },
          target.tasks(),
        );
        const created = plan.lines.filter((l) => l.action === "create");
        if (!dryRun && created.length) {
          engine.applySetup({ changes: [], apply: () => plan.apply((def) => target.createTask(def)) });
          audit.add(principal.user.email, "crontab.import", `${created.length} tasks`, created.map((l) => l.name).join(", ").slice(0, 2000));
        }
        return { dry_run: dryRun, lines: plan.lines };
      },
      // the body is the crontab itself, read raw whatever its content type
      {
        role: "admin",
        parse: "none",
        query: CrontabImportQuery,
        response: { 200: CrontabImportOut, 413: ErrorBody, 422: ErrorBody },
        detail: {
          summary: "Import a crontab (text/plain body) as tasks; dry_run=1 lists what it would create",
          requestBody: { required: true, content: { "text/plain": { schema: { type: "string" } } } },
        },
      },
    );
}
