// Who is asking, and may they: the session cookie or a Bearer token becomes a
// Principal; routes declare `role: "any" | "admin"`; cookie-authenticated
// changes from another origin are refused. The check runs before the body is
// validated, so a stranger learns nothing about the route's schema.
import { Elysia } from "elysia";
import type { AuthService, Principal } from "../auth/service.ts";
import { AccessWatch } from "../auth/watch.ts";
import type { Config } from "../config.ts";
import { HttpError } from "./errors.ts";

export const SESSION_COOKIE = "lightflow_session";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function readCookie(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i !== -1 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim() || null;
  }
  return null;
}

export function bearerOf(header: string | null): string | null {
  const m = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return m ? m[1]! : null;
}

/**
 * A browser request is refused when its Origin is not this server's (by the
 * configured base URL or the Host it was sent to) or Sec-Fetch-Site says
 * cross-site. A request with neither header is not from a browser page.
 */
export function crossSite(request: Request, config: Config): boolean {
  const origin = request.headers.get("origin");
  if (request.headers.get("sec-fetch-site") === "cross-site") return true;
  if (!origin) return false;
  const host = request.headers.get("host");
  const own = new Set([new URL(config.baseUrl).origin]);
  if (host) own.add(`http://${host}`).add(`https://${host}`);
  return !own.has(origin);
}

export type Role = "any" | "admin";

export function guard(auth: AuthService, config: Config) {
  /** streams that must end with the access they were opened with */
  const accessWatch = new AccessWatch(auth);
  const principals = new WeakMap<Request, Principal | null>();
  const principalOf = (request: Request): Principal | null => {
    if (!principals.has(request)) {
      const h = request.headers;
      principals.set(request, auth.authenticate(readCookie(h.get("cookie"), SESSION_COOKIE), bearerOf(h.get("authorization"))));
    }
    return principals.get(request)!;
  };
  return new Elysia({ name: "guard" })
    .onTransform({ as: "global" }, ({ request }) => {
      // public form posts (login, set-password) are refused cross-site too: no login CSRF
      if (!SAFE_METHODS.has(request.method) && !bearerOf(request.headers.get("authorization")) && crossSite(request, config)) {
        throw new HttpError(403, "cross-site request refused: send it from this server's own pages or with a Bearer token");
      }
    })
    .macro({
      role: (role: Role) => ({
        transform({ request }) {
          const p = principalOf(request);
          if (!p) throw new HttpError(401, "sign in first (session cookie or Authorization: Bearer <token>)");
          if (role === "admin" && p.user.role !== "admin") throw new HttpError(403, "this needs an admin; you are a viewer");
        },
        resolve({ request }) {
          return { principal: principalOf(request)! };
        },
      }),
    })
    .decorate({ principalOf, accessWatch });
}
