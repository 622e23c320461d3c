// Every error leaves as {"error": "<a sentence a person can act on>"} with
// "field" when one input is at fault. Never a stack trace, never a 500 for bad input.
import { Elysia } from "elysia";
import { HashBusy } from "../auth/passwords.ts";
import { LogUnavailable } from "../engine/logstore.ts";
import { StoreUnavailable, UnstorableText } from "../engine/stores.ts";
import { isJson } from "./body.ts";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new HttpError(404, `no such ${what}`);
export const conflict = (message: string, field?: string) => new HttpError(409, message, field);
export const invalid = (message: string, field?: string) => new HttpError(422, message, field);

/** A trigger or retry the engine refused: a parameter at fault is 422, a conflict with the runs there are 409. */
export function runFailure(p: { problem: "invalid"; field: string; message: string } | { problem: "conflict"; message: string } | { problem: "run_not_found" }): HttpError {
  if (p.problem === "invalid") return invalid(`${p.field}: ${p.message}`, p.field);
  if (p.problem === "conflict") return conflict(p.message);
  return notFound("run");
}

interface ValueErrorLike {
  path?: string;
  message?: string;
  schema?: { error?: unknown; anyOf?: { error?: unknown }[] };
}

/** "/steps/0/command" → "steps.0.command" */
const fieldOf = (path: string | undefined) => (path ?? "").replace(/^\//, "").replaceAll("/", ".");

function validationBody(e: { all?: ValueErrorLike[]; customError?: unknown; type?: string }): { error: string; field?: string } {
  const first = e.all?.[0];
  // a nullable field is a union: its message sits on the non-null member
  const member = first?.schema?.anyOf?.find((s) => typeof s.error === "string")?.error;
  const custom =
    typeof first?.schema?.error === "string" ? first.schema.error : typeof member === "string" ? member : typeof e.customError === "string" ? e.customError : null;
  // our messages start with the field ("limit: …"); a decoded query value has no path of its own
  const field = fieldOf(first?.path) || (custom ? (/^([\w.]+):/.exec(custom)?.[1] ?? "") : "");
  let message: string;
  if (first?.message === "Unexpected property") message = `${field}: not a known field`;
  else if (first?.message === "Expected required property") message = custom ? `${custom} (required)` : `${field}: required`;
  else message = custom ?? `${field || "body"}: ${first?.message?.toLowerCase() ?? "invalid"}`;
  if (!field) return { error: e.type === "body" ? "the body must be a JSON object" : message };
  return { error: message, field };
}

function notJson(request: Request): string {
  const type = request.headers.get("content-type");
  const got = type ? `"${type.split(";")[0]!.slice(0, 80)}"` : "no content type";
  return `the body must be JSON: send it with "content-type: application/json" (got ${got})`;
}

/** The methods an API path answers to (none for an unknown path). */
export type AllowedMethods = (pathname: string) => string[];

/** Allowed methods from the app's own route list, built on first use (after every route is registered). */
export function allowedMethodsOf(routes: () => readonly { method: string; path: string }[]): AllowedMethods {
  let table: { re: RegExp; method: string }[] | null = null;
  const pattern = (path: string) =>
    new RegExp(`^${path.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*$/, ".+").replace(/:[^/]+/g, "[^/]+")}$`);
  return (pathname) => {
    table ??= routes()
      .filter((r) => r.path.startsWith("/api/") && r.method !== "WS")
      .map((r) => ({ re: pattern(r.path), method: r.method }));
    return [...new Set(table.filter((r) => r.re.test(pathname)).map((r) => r.method))];
  };
}

export const errorHandling = (allowed: AllowedMethods) => new Elysia({ name: "errors" })
  .error({ HttpError })
  .onError({ as: "global" }, ({ code, error, set, request }) => {
    if (error instanceof HttpError) {
      set.status = error.status;
      Object.assign(set.headers, error.headers);
      return { error: error.message, ...(error.field ? { field: error.field } : {}), ...error.extra };
    }
    if (error instanceof StoreUnavailable || (error as Error)?.cause instanceof StoreUnavailable) {
      // PostgreSQL restarting or out of reach: the server reconnects by itself
      set.status = 503;
      set.headers["retry-after"] = "2";
      return { error: "the database is unavailable; Lightflow is reconnecting, try again in a moment" };
    }
    if (error instanceof LogUnavailable) {
      // the log is on another node of the cluster, which is down or out of reach
      set.status = 503;
      return { error: error.message };
    }
    if (error instanceof UnstorableText) {
      set.status = 422;
      return { error: error.message };
    }
    if (error instanceof HashBusy) {
      set.status = 429;
      set.headers["retry-after"] = "1";
      return { error: "too many sign-in attempts at once; try again in a second" };
    }
    switch (code) {
      case "VALIDATION": {
        const e = error as unknown as { all?: ValueErrorLike[]; customError?: unknown; type?: string };
        if (e.type === "response") {
          // our own answer does not match its schema: a bug, not the client's fault
          console.error(`lightflow: ${request.method} ${new URL(request.url).pathname} produced an invalid response: ${JSON.stringify(e.all?.[0])}`);
          set.status = 500;
          return { error: "internal error; the server log has the details" };
        }
        if (e.type === "body" && !isJson(request.headers.get("content-type"))) {
          // `curl -d` sends a form: blaming a field of it would mislead
          set.status = 415;
          return { error: notJson(request) };
        }
        set.status = 422;
        return validationBody(e);
      }
      case "PARSE": {
        // a refusal from http/body.ts arrives wrapped by the framework's parse step
        const cause = (error as Error).cause;
        if (cause instanceof HttpError) {
          set.status = cause.status;
          return { error: cause.message };
        }
        if (!isJson(request.headers.get("content-type"))) {
          set.status = 415; // a malformed form is still not the JSON the route takes
          return { error: notJson(request) };
        }
        set.status = 400;
        return { error: "the body is not valid JSON" };
      }
      case "NOT_FOUND": {
        const path = new URL(request.url).pathname;
        const methods = allowed(path);
        if (methods.length) {
          // a known path asked with another method: say which methods it takes
          set.status = 405;
          set.headers["allow"] = methods.join(", ");
          return { error: `${request.method} is not allowed on ${path}; use ${methods.join(" or ")}` };
        }
        set.status = 404;
        return { error: `no such API route: ${request.method} ${path}` };
      }
      case "INVALID_COOKIE_SIGNATURE":
      case "INVALID_FILE_TYPE":
        set.status = 400;
        return { error: "malformed request" };
      default:
        console.error(`lightflow: ${request.method} ${new URL(request.url).pathname} failed: ${(error as Error)?.stack ?? String(error)}`);
        set.status = 500;
        return { error: "internal error; the server log has the details" };
    }
  });
