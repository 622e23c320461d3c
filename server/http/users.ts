// Routes: user administration and the audit log (admins only).
//   GET    /api/users            admin
//   POST   /api/users            admin
//   PATCH  /api/users/:id        admin
//   DELETE /api/users/:id/totp   admin
//   DELETE /api/users/:id        admin
//   GET    /api/audit            admin
import { Elysia, t } from "elysia";
import type { AdminError, UserAdmin } from "../auth/admin.ts";
import type { AuthService } from "../auth/service.ts";
import type { AuditStore } from "../engine/stores.ts";
import type { User, UserStore } from "../auth/store.ts";
import { ErrorBody, Paging } from "../schema/common.ts";
import { AuditEntryOut, InviteInput, UserPatch, UserRow } from "../schema/resources.ts";
import { conflict, notFound } from "./errors.ts";
import type { guard } from "./guard.ts";
import { iso } from "./serialize.ts";

const Params = t.Object({ id: t.Numeric({ minimum: 1, error: "id: a user id" }) });

const row = (u: User) => ({ id: u.id, email: u.email, role: u.role, status: u.status, totp_enabled: u.totp_secret !== null, created_at: iso(u.created_at)! });

function check<T>(r: T | AdminError, id: number): T {
  if (r === "user_not_found") throw notFound(`user ${id}`);
  if (r === "last_admin") throw conflict("this is the last active admin: make another admin first");
  return r as T;
}

export function userRoutes(service: AuthService, admin: UserAdmin, users: UserStore, audit: AuditStore, auth: ReturnType<typeof guard>) {
  return new Elysia({ name: "users" })
    .use(auth)
    .get("/api/users", () => users.list().map(row), { role: "admin", response: t.Array(UserRow) })
    .post(
      "/api/users",
      ({ body, principal, set }) => {
        const r = service.invite(body.email, body.role, principal.user);
        if (r === "email_taken") throw conflict(`email: ${body.email} already has an account`, "email");
        set.status = 201;
        return row(r);
      },
      { role: "admin", body: InviteInput, response: { 201: UserRow, 409: ErrorBody, 422: ErrorBody } },
    )
    .patch("/api/users/:id", ({ params, body, principal }) => row(check(admin.update(params.id, body, principal.user), params.id)), {
      role: "admin",
      params: Params,
      body: UserPatch,
      response: { 200: UserRow, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody },
    })
    .delete(
      "/api/users/:id/totp",
      ({ params, principal, set }) => {
        check(admin.resetTotp(params.id, principal.user), params.id);
        set.status = 204;
      },
      { role: "admin", params: Params },
    )
    .delete(
      "/api/users/:id",
      ({ params, principal, set }) => {
        check(admin.delete(params.id, principal.user), params.id);
        set.status = 204;
      },
      { role: "admin", params: Params },
    )
    .get(
      "/api/audit",
      ({ query }) => audit.page(query.limit ?? 25, query.before).map((e) => ({ ...e, at: iso(e.at)! })),
      { role: "admin", query: Paging, response: t.Array(AuditEntryOut) },
    );
}
