// Accounts: first admin, links, sign-in, sessions, API tokens, TOTP. No HTTP
// here: expected failures come back as named codes for http/ to map.
import type { Config } from "../config.ts";
import type { AuditStore } from "../engine/stores.ts";
import type { LinkPurpose, Role, User, UserStore } from "./store.ts";
import { sendLater, type Mailer } from "../mail/mailer.ts";
import { setPasswordMail } from "../mail/templates.ts";
import { randomToken, sha256 } from "./crypto.ts";
import { hashPassword, HashBusy, MIN_PASSWORD_LENGTH, verifyPassword } from "./passwords.ts";
import { MemoryThrottleStore, Throttle, type ThrottleStore } from "./throttle.ts";
import { checkTotp, newTotpSecret, totpUri } from "./totp.ts";

const HOUR = 3_600_000;
const LINK_HOURS: Record<LinkPurpose, number> = { setup: 72, invite: 72, reset: 1 };
/** At most one reset mail per address, and one setup link, per minute. */
const LINK_MAIL_INTERVAL = 60_000;

export interface Principal {
  user: User;
  via: "session" | "token";
  /** the hash of the session this request came with */
  sessionHash: string | null;
  /** the API token this request came with */
  tokenId: number | null;
  /** when the session ends (null for a token) */
  expiresAt: number | null;
}

export type LoginResult =
  | { ok: true; user: User; session: string }
  | { ok: false; code: "invalid" | "totp_required" | "totp_invalid" | "busy" }
  | { ok: false; code: "throttled"; retryAfterS: number };

export interface AuthDeps {
  config: Config;
  users: UserStore;
  audit: AuditStore;
  mailer: Mailer;
  publicUrl: () => string;
  now?: () => number;
  /** where sign-in failures are counted: in memory by default; the database on a cluster (every node counts the same) */
  throttle?: ThrottleStore;
}

export class AuthService {
  private readonly byAccount: Throttle;
  private readonly byAddress: Throttle;
  private readonly now: () => number;
  private readonly elsewhere = new Set<() => void>();

  constructor(private readonly d: AuthDeps) {
    this.now = d.now ?? Date.now;
    this.byAccount = new Throttle(5, d.throttle ?? new MemoryThrottleStore(), "account:");
    this.byAddress = new Throttle(20, d.throttle ?? new MemoryThrottleStore(), "address:");
  }

  /** The configured first admin exists (pending) from the first start on. */
  ensureFirstAdmin(): void {
    const email = this.d.config.adminEmail;
    if (!email) {
      if (this.firstRun()) console.log("lightflow: no admin yet and LIGHTFLOW_ADMIN_EMAIL is not set: set it to create the first admin");
      return;
    }
    if (!this.d.users.byEmail(email)) {
      this.d.users.insert(email, "admin", this.now());
      this.d.audit.add(null, "user.create", email, "first admin (LIGHTFLOW_ADMIN_EMAIL)");
    }
    if (this.firstRun()) {
      console.log(`lightflow: no active admin yet: open ${this.d.publicUrl()}/login and press "Send admin setup link", or run "lightflow reset-password ${email}"`);
    }
  }

  firstRun(): boolean {
    return this.d.users.activeAdmins() === 0;
  }

  /** A fresh set-password link for a user (stored hashed). */
  createLink(user: User, purpose: LinkPurpose): string {
    const token = randomToken(32);
    const now = this.now();
    this.d.users.createLink(sha256(token), user.id, purpose, now, now + LINK_HOURS[purpose] * HOUR);
    return `${this.d.publicUrl()}/set-password#token=${token}`;
  }

  private mailLink(user: User, purpose: LinkPurpose): string {
    const url = this.createLink(user, purpose);
    void sendLater(this.d.mailer, setPasswordMail(user.email, purpose, url, LINK_HOURS[purpose], user.role));
    return url;
  }

  sendSetupLink(): "sent" | "not_first_run" | "no_admin_email" | { retryAfterS: number } {
    if (!this.firstRun()) return "not_first_run";
    const email = this.d.config.adminEmail;
    if (!email) return "no_admin_email";
    const user = this.d.users.byEmail(email) ?? this.d.users.insert(email, "admin", this.now())!;
    // anyone may ask, so the mail is limited like a reset mail (no await before the link is stored: no race)
    const last = this.d.users.lastLinkAt(user.id, "setup");
    if (last !== null && this.now() - last < LINK_MAIL_INTERVAL) return { retryAfterS: Math.ceil((last + LINK_MAIL_INTERVAL - this.now()) / 1000) };
    if (user.status !== "pending") this.d.users.update(user.id, { status: "pending", role: "admin" }, this.now());
    const url = this.mailLink(user, "setup");
    console.log(`lightflow: admin setup link for ${email}: ${url}`);
    this.d.audit.add(null, "user.setup_link", email);
    return "sent";
  }

  invite(email: string, role: Role, by: User): User | "email_taken" {
    const user = this.d.users.insert(email, role, this.now());
    if (!user) return "email_taken";
    this.mailLink(user, "invite");
    this.d.audit.add(by.email, "user.invite", email, `role ${role}`);
    return user;
  }

  /** Forgot password: the same answer either way; one reset mail per address per minute. */
  async forgot(email: string): Promise<void> {
    const user = this.d.users.byEmail(email);
    if (user && user.status === "active") {
      const last = this.d.users.lastLinkAt(user.id, "reset");
      if (last === null || this.now() - last >= LINK_MAIL_INTERVAL) {
        this.mailLink(user, "reset");
        this.d.audit.add(null, "user.reset_link", user.email);
      }
    }
  }

  /** Prints a link (CLI recovery without e-mail). */
  resetLinkFor(email: string): string | null {
    const user = this.d.users.byEmail(email);
    if (!user) return null;
    const url = this.createLink(user, user.status === "active" ? "reset" : "setup");
    this.d.audit.add(null, "user.reset_link", user.email, "from the command line");
    return url;
  }

  /**
   * Sets a password through a mailed link. The link proves the mailbox only: a
   * user with a second factor gets no session here and signs in with their code.
   */
  async setPassword(token: string, password: string): Promise<{ user: User; session: string | null } | "invalid_link" | "weak_password"> {
    if (password.length < MIN_PASSWORD_LENGTH) return "weak_password";
    const hash = await hashPassword(password);
    const link = this.d.users.useLink(sha256(token), this.now());
    if (!link) return "invalid_link";
    const { user } = link;
    this.d.users.update(user.id, { password_hash: hash, status: "active" }, this.now());
    this.d.users.deleteSessions(user.id);
    const session = user.totp_secret ? null : this.startSession(user.id);
    this.d.audit.add(user.email, "user.set_password", user.email, link.purpose);
    return { user: this.d.users.get(user.id)!, session };
  }

  private startSession(userId: number): string {
    const token = randomToken(32);
    const now = this.now();
    this.d.users.deleteExpiredSessions(now); // sign-ins are rare: tidy up here, no timer needed
    this.d.users.createSession(sha256(token), userId, now, now + this.d.config.sessionTtlDays * 24 * HOUR);
    return token;
  }

  /**
   * Counts an attempt for the account and the address before the slow check, in
   * the same turn of the event loop as the look-up: parallel guesses each see the
   * ones before them. Returns the wait when throttled, else a function that
   * forgives the attempt (it was right after all).
   */
  private startAttempt(accountKey: string, address: string | null): { retryAfterS: number } | (() => void) {
    const now = this.now();
    const wait = Math.max(this.byAccount.waitFor(accountKey, now), address === null ? 0 : this.byAddress.waitFor(address, now));
    if (wait > 0) return { retryAfterS: Math.ceil(wait / 1000) };
    this.byAccount.attempt(accountKey, now);
    if (address !== null) this.byAddress.attempt(address, now);
    return () => {
      this.byAccount.forgive(accountKey, now);
      if (address !== null) this.byAddress.forgive(address, now);
    };
  }

  async login(email: string, password: string, totp: string | undefined, address: string): Promise<LoginResult> {
    const accountKey = email.toLowerCase();
    const attempt = this.startAttempt(accountKey, address);
    if (typeof attempt !== "function") return { ok: false, code: "throttled", retryAfterS: attempt.retryAfterS };
    const forgive = attempt;
    const user = this.d.users.byEmail(email);
    let ok: boolean;
    try {
      ok = await verifyPassword(user?.status === "active" ? user.password_hash : null, password);
    } catch (e) {
      forgive(); // turned away before any check: not a guess
      if (e instanceof HashBusy) return { ok: false, code: "busy" };
      throw e;
    }
    const now = this.now();
    const fail = (code: "invalid" | "totp_invalid"): LoginResult => {
      this.d.audit.add(email, "login.failed", email, `from ${address}`);
      return { ok: false, code };
    };
    if (!ok || !user) return fail("invalid");
    if (user.totp_secret) {
      if (!totp) {
        forgive(); // the right password, asked for its code: the next attempt brings it
        return { ok: false, code: "totp_required" };
      }
      if (!this.takeTotp(user, totp, now)) return fail("totp_invalid");
    }
    this.byAccount.clear(accountKey);
    forgive();
    this.d.audit.add(user.email, "login", user.email, `from ${address}`);
    return { ok: true, user, session: this.startSession(user.id) };
  }

  /** A code of the user's second factor, accepted once: the check and its use are one atomic step. */
  private takeTotp(user: User, code: string, now: number): boolean {
    const step = user.totp_secret ? checkTotp(user.totp_secret, code, now) : null;
    return step !== null && this.d.users.useTotpStep(user.id, step, now);
  }

  /**
   * Proof that the signed-in person is the account's owner, before a change that
   * could lock them out: their password, or a code of their current second factor.
   * Throttled like a sign-in, so a stolen session cannot guess the password.
   */
  private async reauthenticate(p: Principal, proof: { password?: string; code?: string }): Promise<"ok" | "wrong" | "throttled" | "busy"> {
    const attempt = this.startAttempt(p.user.email.toLowerCase(), null);
    if (typeof attempt !== "function") return "throttled";
    let ok = false;
    if (proof.code !== undefined) ok = p.user.totp_secret !== null && this.takeTotp(this.d.users.get(p.user.id)!, proof.code, this.now());
    else if (proof.password !== undefined) {
      try {
        ok = await verifyPassword(p.user.password_hash, proof.password);
      } catch (e) {
        attempt();
        if (e instanceof HashBusy) return "busy";
        throw e;
      }
    }
    if (ok) attempt();
    return ok ? "ok" : "wrong";
  }

  /** Who a request comes from: a session cookie or a Bearer token. */
  authenticate(sessionToken: string | null, bearer: string | null): Principal | null {
    const now = this.now();
    if (bearer) {
      const found = this.d.users.tokenUser(sha256(bearer));
      if (!found) return null;
      // last_used_at to the minute: no write on every request
      if (found.lastUsed === null || now - found.lastUsed > 60_000) this.d.users.touchToken(found.tokenId, now);
      return { user: found.user, via: "token", sessionHash: null, tokenId: found.tokenId, expiresAt: null };
    }
    if (sessionToken) {
      const hash = sha256(sessionToken);
      const found = this.d.users.sessionUser(hash, now);
      return found ? { user: found.user, via: "session", sessionHash: hash, tokenId: null, expiresAt: found.expiresAt } : null;
    }
    return null;
  }

  /** The principal's user as of now, or null when its session or token has ended or the user is no longer active. */
  stillValid(p: Principal): User | null {
    if (p.tokenId !== null) return this.d.users.tokenOwner(p.tokenId);
    return p.sessionHash ? (this.d.users.sessionUser(p.sessionHash, this.now())?.user ?? null) : null;
  }

  /** Told after every change that can end someone's access, here or (on a cluster) on another node (see auth/watch.ts). */
  onAccessChange(listener: () => void): () => void {
    const off = this.d.users.onAccessChange(listener);
    this.elsewhere.add(listener);
    return () => {
      off();
      this.elsewhere.delete(listener);
    };
  }

  /** Another node changed someone's access (cli/serve.ts hears it): the streams held here are checked the same way. */
  accessChangedElsewhere(): void {
    for (const l of this.elsewhere) l();
  }

  logout(p: Principal): void {
    if (p.sessionHash) this.d.users.deleteSession(p.sessionHash);
    this.d.audit.add(p.user.email, "logout", p.user.email);
  }

  /**
   * A new password from the profile: ends the user's other sessions and any
   * set-password link still open (a reset asked for earlier must not undo it).
   * API tokens stay: they are named, listed with their last use, and revoked one
   * by one in the profile (README, "Accounts").
   */
  async changePassword(p: Principal, current: string, password: string): Promise<"ok" | "wrong_password" | "weak_password" | "throttled" | "busy"> {
    if (password.length < MIN_PASSWORD_LENGTH) return "weak_password";
    const proof = await this.reauthenticate(p, { password: current });
    if (proof !== "ok") return proof === "wrong" ? "wrong_password" : proof;
    const now = this.now();
    this.d.users.update(p.user.id, { password_hash: await hashPassword(password) }, now);
    this.d.users.deleteSessions(p.user.id, p.sessionHash);
    this.d.users.retireLinks(p.user.id, now);
    this.d.audit.add(p.user.email, "user.password", p.user.email);
    return "ok";
  }

  createToken(p: Principal, name: string): { id: number; name: string; token: string } {
    const token = `lf_${randomToken(32)}`;
    const row = this.d.users.createToken(p.user.id, name, sha256(token), this.now());
    this.d.audit.add(p.user.email, "token.create", name);
    return { id: row.id, name: row.name, token };
  }

  deleteToken(p: Principal, id: number): boolean {
    const ok = this.d.users.deleteToken(p.user.id, id);
    if (ok) this.d.audit.add(p.user.email, "token.delete", String(id));
    return ok;
  }

  // ---- TOTP ---------------------------------------------------------------------

  /**
   * Starts enrolling a (new) second factor. A session alone is not enough: a
   * stolen cookie must not be able to set a factor the owner does not have. The
   * owner proves it with their password, or with a code of the factor being replaced.
   */
  async startTotp(p: Principal, proof: { password?: string; code?: string }): Promise<{ secret: string; uri: string } | "proof_required" | "wrong_proof" | "throttled" | "busy"> {
    if (proof.password === undefined && proof.code === undefined) return "proof_required";
    const r = await this.reauthenticate(p, proof);
    if (r !== "ok") return r === "wrong" ? "wrong_proof" : r;
    const secret = newTotpSecret();
    this.d.users.update(p.user.id, { totp_pending: secret }, this.now());
    return { secret, uri: totpUri(secret, p.user.email) };
  }

  confirmTotp(p: Principal, code: string): "ok" | "no_enrolment" | "invalid_code" {
    const secret = p.user.totp_pending;
    if (!secret) return "no_enrolment";
    const step = checkTotp(secret, code, this.now());
    if (step === null) return "invalid_code";
    this.d.users.update(p.user.id, { totp_secret: secret, totp_pending: null, totp_last_step: step }, this.now());
    this.d.audit.add(p.user.email, p.user.totp_secret ? "totp.replace" : "totp.enable", p.user.email);
    return "ok";
  }

  disableTotp(p: Principal, code: string): "ok" | "not_enabled" | "invalid_code" {
    // as the row is now: another request may have turned it off since this one signed in
    const user = this.d.users.get(p.user.id);
    if (!user?.totp_secret) return "not_enabled";
    if (!this.takeTotp(user, code, this.now())) return "invalid_code";
    this.d.users.update(p.user.id, { totp_secret: null, totp_pending: null, totp_last_step: null }, this.now());
    this.d.audit.add(p.user.email, "totp.disable", p.user.email);
    return "ok";
  }
}
