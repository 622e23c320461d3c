// Headers every response carries, set before routing so that every answer has
// them, a refusal of http/body.ts included.
import { Elysia } from "elysia";

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
  return new Elysia({ name: "headers" }).onRequest(({ set }) => {
    Object.assign(set.headers, headers);
  });
}
