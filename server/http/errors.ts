// Every error leaves as {"error": "<a sentence a person can act on>"} with
// "field" when one input is at fault. Never a stack trace, never a 500 for bad input.
import { Elysia } from "elysia";
import { HashBusy } from "../auth/passwords.ts";

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

export const errorHandling = new Elysia({ name: "errors" })
  .error({ HttpError })
  .onError({ as: "global" }, ({ code, error, set, request }) => {
    if (error instanceof HttpError) {
      set.status = error.status;
      Object.assign(set.headers, error.headers);
      return { error: error.message, ...(error.field ? { field: error.field } : {}), ...error.extra };
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
        set.status = 422;
        return validationBody(e);
      }
      case "PARSE":
        set.status = 400;
        return { error: "the body is not valid JSON" };
      case "NOT_FOUND":
        set.status = 404;
        return { error: `no such API route: ${request.method} ${new URL(request.url).pathname}` };
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
