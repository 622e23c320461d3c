// Route: a consistent backup while the server runs.
//   GET /api/backup           admin   the database (SQLite file)
//   GET /api/backup?logs=1    admin   one tar: the database, the scripts and the logs
// The backup is built whole before the answer starts: a failure is a JSON
// error, never a 200 cut short.
import { Elysia, t } from "elysia";
import type { FileHandle } from "node:fs/promises";
import { buildBackup } from "../backup/service.ts";
import type { AuditStore } from "../engine/stores.ts";
import type { Engine } from "../engine/index.ts";
import { HttpError } from "./errors.ts";
import type { guard } from "./guard.ts";

const CHUNK = 1 << 20;

/** The open (already unlinked) file as a body; it is closed when sent, on error, and when the client goes away. */
function bodyOf(file: FileHandle): ReadableStream<Uint8Array> {
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await file.close();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const buf = new Uint8Array(CHUNK);
        const { bytesRead } = await file.read(buf, 0, CHUNK, null);
        if (bytesRead > 0) return controller.enqueue(buf.subarray(0, bytesRead));
        await close();
        controller.close();
      } catch (e) {
        if (closed) return; // the client went away while a read was under way
        await close();
        controller.error(e);
      }
    },
    cancel: close,
  });
}

export function backupRoutes(engine: Engine, audit: AuditStore, auth: ReturnType<typeof guard>) {
  const { config } = engine;
  return new Elysia({ name: "backup" }).use(auth).get(
    "/api/backup",
    async ({ query, principal }) => {
      if (engine.storeKind === "postgres") {
        throw new HttpError(409, "the database is PostgreSQL: back it up with pg_dump, and keep the tasks as code with GET /api/export (README, \"PostgreSQL\")");
      }
      const stamp = new Date().toISOString().replace(/[:.]/g, "-");
      const withLogs = query.logs === "1" || query.logs === "true";
      const built = await buildBackup((file) => engine.snapshot(file), { dataDir: config.dataDir, scriptsDir: config.scriptsDir }, withLogs);
      if ("error" in built) {
        console.error(`lightflow: backup failed: ${built.detail}`);
        throw new HttpError(500, `the backup failed and nothing was sent: ${built.detail}`);
      }
      audit.add(principal.user.email, "backup.download", withLogs ? "database, scripts and logs" : "database");
      const [type, ext] = withLogs ? ["application/x-tar", "tar"] : ["application/vnd.sqlite3", "db"];
      return new Response(bodyOf(built.file), {
        // no content-length: Bun drops it from a stream that reads a file asynchronously; chunked encoding
        // still lets the client tell a cut download (no closing chunk) from a whole one
        headers: { "content-type": type, "content-disposition": `attachment; filename="lightflow-${stamp}.${ext}"` },
      });
    },
    {
      role: "admin",
      query: t.Object({ logs: t.Optional(t.Union([t.Literal("1"), t.Literal("0"), t.Literal("true"), t.Literal("false")], { error: "logs: 1 or 0" })) }),
      detail: { summary: "Download a consistent backup (SQLite file, or a tar with scripts and logs)" },
    },
  );
}
