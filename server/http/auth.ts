// Routes: sign-in and the first-run setup (public), and the signed-in user's own account.
//   GET    /api/auth/state           public
//   POST   /api/auth/setup-link      public
//   POST   /api/auth/login           public
//   POST   /api/auth/logout          any
//   POST   /api/auth/forgot          public
//   POST   /api/auth/set-password    public
//   GET    /api/me                   any
//   PATCH  /api/me                   any
//   POST   /api/me/password          any
//   POST   /api/me/totp              any
//   POST   /api/me/totp/confirm      any
//   DELETE /api/me/totp              any
//   GET    /api/me/tokens            any
//   POST   /api/me/tokens            any
//   DELETE /api/me/tokens/:id        any
import { Elysia, t } from "elysia";
import type { AuthService } from "../auth/service.ts";
import type { Config } from "../config.ts";
import type { User, UserStore } from "../auth/store.ts";
import { ErrorBody, Ok } from "../schema/common.ts";
import {
  ApiTokenOut,
  AuthStateOut,
  CodeInput,
  ForgotInput,
  LoginInput,
  LoginOut,
  LoginRefusedOut,
  MePatch,
  NewApiTokenOut,
  PasswordChange,
  SetPasswordInput,
  SetPasswordOut,
  TokenInput,
  TotpEnrolmentOut,
  TotpStartInput,
  UserOut,
} from "../schema/resources.ts";
import { conflict, HttpError, invalid, notFound } from "./errors.ts";
import { SESSION_COOKIE, type guard } from "./guard.ts";
import { iso } from "./serialize.ts";

export const userOut = (u: User) => ({ id: u.id, email: u.email, role: u.role, totp_enabled: u.totp_secret !== null, alerts: u.alerts === 1 });

/** The client's address: the peer, or the last X-Forwarded-For hop when the peer is the trusted proxy. */
export function clientAddress(request: Request, peer: string | undefined, config: Config): string {
  const address = (peer ?? "unknown").replace(/^::ffff:/, "");
  if (config.trustedProxy && address === config.trustedProxy) {
    const hops = request.headers.get("x-forwarded-for")?.split(",").map((h) => h.trim()).filter(Boolean);
    if (hops?.length) return hops.at(-1)!.replace(/^::ffff:/, "");
  }
  return address;
}

export function authRoutes(service: AuthService, users: UserStore, config: Config, auth: ReturnType<typeof guard>) {
  const cookie = (value: string, maxAge: number) =>
    `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${config.cookieSecure ? "; Secure" : ""}`;
  const sessionCookie = (token: string) => cookie(token, config.sessionTtlDays * 86400);
  const weak = () => invalid("password: at least 10 characters", "password");
  const throttled = (retryAfterS: number, what = "failed sign-ins") =>
    new HttpError(429, `too many ${what}; try again in ${retryAfterS} s`, undefined, {}, { "retry-after": String(retryAfterS) });
  const busy = () => new HttpError(429, "too many sign-in attempts at once; try again in a second", undefined, {}, { "retry-after": "1" });
  /** A password or code check in the profile: wrong, or throttled like a sign-in. */
  const proofFailure = (r: "throttled" | "busy", field: string) =>
    r === "busy" ? busy() : new HttpError(429, `${field}: too many wrong attempts; try again later`, field, {}, { "retry-after": "60" });

  return new Elysia({ name: "auth" })
    .use(auth)
    .get("/api/auth/state", () => ({ first_run: service.firstRun() }), { response: AuthStateOut })
    .post(
      "/api/auth/setup-link",
      ({ set }) => {
        const r = service.sendSetupLink();
        if (typeof r === "object") throw throttled(r.retryAfterS, "setup links (one a minute): check the mail or the server log, or try again");
        if (r === "not_first_run") throw conflict("an admin is already active; sign in, or use \"Forgot password\"");
        if (r === "no_admin_email") throw conflict("LIGHTFLOW_ADMIN_EMAIL is not set on the server: set it and restart, then ask again");
        set.status = 202;
        return { ok: true };
      },
      { response: { 202: Ok, 409: ErrorBody, 429: ErrorBody } },
    )
    .post(
      "/api/auth/login",
      async ({ body, request, server, set }) => {
        const r = await service.login(body.email, body.password, body.totp, clientAddress(request, server?.requestIP(request)?.address, config));
        if (r.ok) {
          set.headers["set-cookie"] = sessionCookie(r.session);
          return { user: userOut(r.user) };
        }
        switch (r.code) {
          case "throttled":
            throw throttled(r.retryAfterS);
          case "busy":
            throw busy();
          case "totp_required":
            throw new HttpError(401, "enter the code from your authenticator app", "totp", { totp_required: true });
          case "totp_invalid":
            throw new HttpError(401, "wrong or already used code", "totp", { totp_required: true });
          default:
            throw new HttpError(401, "wrong e-mail or password");
        }
      },
      { body: LoginInput, response: { 200: LoginOut, 401: LoginRefusedOut, 422: ErrorBody, 429: ErrorBody } },
    )
    .post(
      "/api/auth/logout",
      ({ principal, set }) => {
        service.logout(principal);
        set.headers["set-cookie"] = cookie("", 0);
        set.status = 204;
      },
      { role: "any" },
    )
    .post(
      "/api/auth/forgot",
      async ({ body, set }) => {
        await service.forgot(body.email);
        set.status = 202;
        return { ok: true };
      },
      { body: ForgotInput, response: { 202: Ok, 422: ErrorBody } },
    )
    .post(
      "/api/auth/set-password",
      async ({ body, set }) => {
        const r = await service.setPassword(body.token, body.password);
        if (r === "weak_password") throw weak();
        if (r === "invalid_link") throw new HttpError(400, "this link is unknown, used or expired; ask for a new one", "token");
        // with a second factor the link proves the mailbox only: sign in with the code next
        if (r.session === null) return { user: userOut(r.user), totp_required: true };
        set.headers["set-cookie"] = sessionCookie(r.session);
        return { user: userOut(r.user) };
      },
      {
        body: SetPasswordInput,
        response: { 200: SetPasswordOut, 400: ErrorBody, 422: ErrorBody },
      },
    )
    .get("/api/me", ({ principal }) => userOut(principal.user), { role: "any", response: UserOut })
    .patch(
      "/api/me",
      ({ principal, body }) => {
        if (body.alerts !== undefined) users.update(principal.user.id, { alerts: body.alerts ? 1 : 0 }, Date.now());
        return userOut(users.get(principal.user.id)!);
      },
      { role: "any", body: MePatch, response: { 200: UserOut, 422: ErrorBody } },
    )
    .post(
      "/api/me/password",
      async ({ principal, body }) => {
        const r = await service.changePassword(principal, body.current, body.password);
        if (r === "weak_password") throw weak();
        if (r === "wrong_password") throw new HttpError(403, "current: that is not your current password", "current");
        if (r !== "ok") throw proofFailure(r, "current");
        return { ok: true };
      },
      { role: "any", body: PasswordChange },
    )
    .post(
      "/api/me/totp",
      async ({ principal, body }) => {
        const r = await service.startTotp(principal, body);
        const field = body.code !== undefined ? "code" : "password";
        if (r === "proof_required") {
          throw invalid(`password: give your password${principal.user.totp_secret ? " or a code of your current second factor" : ""} to set up a second factor`, "password");
        }
        if (r === "wrong_proof") throw invalid(field === "code" ? "code: wrong or already used code" : "password: that is not your password", field);
        if (typeof r === "string") throw proofFailure(r, field);
        return r;
      },
      { role: "any", body: TotpStartInput, response: { 200: TotpEnrolmentOut, 422: ErrorBody, 429: ErrorBody } },
    )
    .post(
      "/api/me/totp/confirm",
      ({ principal, body }) => {
        const r = service.confirmTotp(principal, body.code);
        if (r === "no_enrolment") throw conflict("start the enrolment first (POST /api/me/totp)");
        if (r === "invalid_code") throw invalid("code: wrong code; check the time on your phone", "code");
        return { ok: true };
      },
      { role: "any", body: CodeInput },
    )
    .delete(
      "/api/me/totp",
      ({ principal, body, set }) => {
        const r = service.disableTotp(principal, body.code);
        if (r === "not_enabled") throw conflict("two-factor sign-in is not enabled");
        if (r === "invalid_code") throw invalid("code: wrong or already used code", "code");
        set.status = 204;
      },
      { role: "any", body: CodeInput },
    )
    .get(
      "/api/me/tokens",
      ({ principal }) =>
        users.tokens(principal.user.id).map((k) => ({ id: k.id, name: k.name, created_at: iso(k.created_at)!, last_used_at: iso(k.last_used_at) })),
      { role: "any", response: t.Array(ApiTokenOut) },
    )
    .post(
      "/api/me/tokens",
      ({ principal, body, set }) => {
        set.status = 201;
        return service.createToken(principal, body.name);
      },
      { role: "any", body: TokenInput, response: { 201: NewApiTokenOut, 422: ErrorBody } },
    )
    .delete(
      "/api/me/tokens/:id",
      ({ principal, params, set }) => {
        if (!service.deleteToken(principal, params.id)) throw notFound(`token ${params.id}`);
        set.status = 204;
      },
      { role: "any", params: t.Object({ id: t.Numeric({ minimum: 1, error: "id: a token id" }) }) },
    );
}
