// Routes: the script editor. Paths come from the raw URL, decoded once and
// checked here; the service only ever sees a checked relative path.
//   GET    /api/scripts            admin   every file, recursive
//   GET    /api/scripts/*path      admin   text/plain content
//   PUT    /api/scripts/*path      admin   raw body (max 1 MiB) → {path, size, check}
//   DELETE /api/scripts/*path      admin   a file, a symlink or an empty directory
//   POST   /api/scripts/rename     admin   {"from", "to"} → {from, to}
import { Elysia, t } from "elysia";
import type { AuditStore } from "../engine/stores.ts";
import { ErrorBody } from "../schema/common.ts";
import { ScriptEntryOut, ScriptRename, ScriptRenamedOut, ScriptSavedOut } from "../schema/scripts.ts";
import { readBody } from "./body.ts";
import { checkPath, pathFromUrl, type ScriptPath } from "../scripts/paths.ts";
import { MAX_SCRIPT_BYTES, type ScriptEditor, type ScriptFailure } from "../scripts/service.ts";
import { conflict, HttpError, invalid, notFound } from "./errors.ts";
import type { guard } from "./guard.ts";
import { iso } from "./serialize.ts";

const PREFIX = "/api/scripts/";
const TOO_LARGE = `the file is larger than 1 MiB (${MAX_SCRIPT_BYTES} bytes), the editor's limit`;

function failure(f: ScriptFailure, path: string, field = "path"): HttpError {
  switch (f) {
    case "outside":
      return new HttpError(403, `${field}: ${path} leads outside the scripts directory through a symlink; refused`, field);
    case "not_a_directory":
      return invalid(`${field}: a directory in ${path} is a file`, field);
    case "not_found":
      return notFound(`script ${path}`);
    case "not_a_file":
      return invalid(`${field}: ${path} is a directory or a special file, not a script`, field);
    case "binary":
      return new HttpError(415, `${path} is a binary file (NUL bytes or not UTF-8); the editor opens text only`);
    case "too_large":
      return new HttpError(413, `${path}: ${TOO_LARGE}`);
    case "not_empty":
      return conflict(`${path} is a directory that is not empty; delete its files first`);
    case "exists":
      return conflict(`${field}: ${path} already exists`, field);
    case "into_itself":
      return invalid(`${field}: a directory cannot move into itself`, field);
  }
}

function checked(raw: string | null, field = "path"): ScriptPath {
  if (raw === null) throw invalid(`${field}: malformed percent-encoding`, field);
  const c = checkPath(raw);
  if ("problem" in c) throw invalid(`${field}: ${c.problem}`, field);
  return c.path;
}

const urlPath = (request: Request) => checked(pathFromUrl(request.url, PREFIX));

/** A script's new content arrives raw, whatever its content type: http/body.ts leaves it alone. */
export const rawScriptBody = (method: string, pathname: string) => method === "PUT" && pathname.startsWith(PREFIX);

export function scriptRoutes(scripts: ScriptEditor, audit: AuditStore, auth: ReturnType<typeof guard>) {
  return new Elysia({ name: "scripts" })
    .use(auth)
    .get("/api/scripts", async () => (await scripts.list()).map((e) => ({ ...e, modified_at: iso(e.modified_at)! })), {
      role: "admin",
      response: t.Array(ScriptEntryOut),
    })
    .post(
      "/api/scripts/rename",
      async ({ body, principal }) => {
        const from = checked(body.from, "from");
        const to = checked(body.to, "to");
        const r = await scripts.rename(from, to);
        if (r !== true) throw failure(r.failure, r.field === "from" ? from : to, r.field);
        audit.add(principal.user.email, "script.rename", from, `to ${to}`);
        return { from, to };
      },
      { role: "admin", body: ScriptRename, response: { 200: ScriptRenamedOut, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody } },
    )
    .get(
      "/api/scripts/*",
      async ({ request, set }) => {
        const path = urlPath(request);
        const r = await scripts.read(path);
        if (typeof r === "string") throw failure(r, path);
        set.headers["content-type"] = "text/plain; charset=utf-8";
        set.headers["cache-control"] = "no-store";
        set.headers["x-content-type-options"] = "nosniff";
        return r.text;
      },
      { role: "admin" },
    )
    .put(
      "/api/scripts/*",
      async ({ request, principal }) => {
        const path = urlPath(request);
        const data = await readBody(request, MAX_SCRIPT_BYTES, () => new HttpError(413, TOO_LARGE));
        const r = await scripts.save(path, data);
        if (typeof r === "string") throw failure(r, path);
        audit.add(principal.user.email, "script.save", path, `${r.size} bytes${r.created ? ", new file" : ""}`);
        return { path: r.path, size: r.size, check: r.check };
      },
      // the body is read here, raw and capped, whatever its content type
      { role: "admin", parse: "none", response: { 200: ScriptSavedOut, 403: ErrorBody, 413: ErrorBody, 422: ErrorBody } },
    )
    .delete(
      "/api/scripts/*",
      async ({ request, principal, set }) => {
        const path = urlPath(request);
        const r = await scripts.remove(path);
        if (r !== true) throw failure(r, path);
        audit.add(principal.user.email, "script.delete", path);
        set.status = 204;
      },
      { role: "admin" },
    );
}
