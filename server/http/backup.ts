// Route: a consistent backup while the server runs.
//   GET /api/backup           admin   the database (SQLite file)
//   GET /api/backup?logs=1    admin   one tar: the database, the scripts and the logs
import { Elysia, t } from "elysia";
import { rmSync } from "node:fs";
import { archiveEntries, tarStream, temporarySnapshot } from "../backup/service.ts";
import type { AuditStore } from "../db/audit.ts";
import type { Engine } from "../engine/index.ts";
import type { guard } from "./guard.ts";

export function backupRoutes(engine: Engine, audit: AuditStore, auth: ReturnType<typeof guard>) {
  const { config } = engine;
  return new Elysia({ name: "backup" }).use(auth).get(
    "/api/backup",
    ({ query, principal }) => {
      const stamp = new Date().toISOString().replace(/[:.]/g, "-");
      const snap = temporarySnapshot(engine.db);
      const withLogs = query.logs === "1" || query.logs === "true";
      audit.add(principal.user.email, "backup.download", withLogs ? "database, scripts and logs" : "database");
      if (!withLogs) {
        const file = Bun.file(snap.file);
        // the snapshot is read fully into the response before its directory goes
        return file.arrayBuffer().then(
          (bytes) => {
            rmSync(snap.dir, { recursive: true, force: true });
            return new Response(bytes, {
              headers: { "content-type": "application/vnd.sqlite3", "content-disposition": `attachment; filename="lightflow-${stamp}.db"` },
            });
          },
        );
      }
      const entries = archiveEntries(snap.file, { dataDir: config.dataDir, scriptsDir: config.scriptsDir });
      const gen = tarStream(entries);
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const { done, value } = await gen.next();
          if (done) {
            rmSync(snap.dir, { recursive: true, force: true });
            controller.close();
          } else controller.enqueue(value);
        },
        cancel() {
          rmSync(snap.dir, { recursive: true, force: true });
        },
      });
      return new Response(body, {
        headers: { "content-type": "application/x-tar", "content-disposition": `attachment; filename="lightflow-${stamp}.tar"` },
      });
    },
    {
      role: "admin",
      query: t.Object({ logs: t.Optional(t.Union([t.Literal("1"), t.Literal("0"), t.Literal("true"), t.Literal("false")], { error: "logs: 1 or 0" })) }),
      detail: { summary: "Download a consistent backup (SQLite file, or a tar with scripts and logs)" },
    },
  );
}
