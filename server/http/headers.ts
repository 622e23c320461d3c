// Headers every response carries, and the body size limit, applied before routing.
import { Elysia } from "elysia";
import { HttpError } from "./errors.ts";

/** JSON bodies and scripts are at most 1 MiB (plus room for the JSON around a script). */
export const MAX_BODY = 1024 * 1024 + 16 * 1024;

export function securityHeaders(cookieSecure: boolean) {
  const headers: Record<string, string> = {
    "content-security-policy":
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    ...(cookieSecure ? { "strict-transport-security": "max-age=31536000; includeSubDomains" } : {}),
  };
  return new Elysia({ name: "headers" }).onRequest(({ request, set }) => {
    Object.assign(set.headers, headers);
    const length = Number(request.headers.get("content-length") ?? 0);
    if (length > MAX_BODY) throw new HttpError(413, "the request body is too big (at most 1 MiB)");
  });
}
