// Users, their sessions, API tokens and set-password links. The only SQL about
// accounts. Secrets are stored as SHA-256 hashes (see auth/crypto.ts).
import type { SqlDb } from "./sql.ts";
import type { ApiToken, LinkPurpose, Role, User, UserStatus, UserStore } from "../auth/store.ts";

export type { ApiToken, LinkPurpose, Role, User, UserStatus };

export class SqlUserStore implements UserStore {
  private readonly accessListeners = new Set<() => void>();
  constructor(private readonly db: SqlDb) {}

  /** Told after every change that can end someone's access: sessions or tokens deleted, a user disabled, demoted or deleted. */
  onAccessChange(listener: () => void): () => void {
    this.accessListeners.add(listener);
    return () => this.accessListeners.delete(listener);
  }

  private accessChanged(): void {
    for (const l of this.accessListeners) l();
  }

  list(): User[] {
    return this.db.query<User, []>("SELECT * FROM users ORDER BY email").all();
  }

  get(id: number): User | null {
    return this.db.query<User, [number]>("SELECT * FROM users WHERE id = ?").get(id);
  }

  byEmail(email: string): User | null {
    return this.db.query<User, [string]>("SELECT * FROM users WHERE email = ?").get(email);
  }

  insert(email: string, role: Role, now: number): User | null {
    return this.db
      .query<User, [string, string, number, number]>(
        `INSERT INTO users (email, role, status, created_at, updated_at) VALUES (?, ?, 'pending', ?, ?)
         ON CONFLICT DO NOTHING RETURNING *`,
      )
      .get(email, role, now, now);
  }

  update(id: number, fields: Partial<Omit<User, "id" | "created_at">>, now: number): void {
    const keys = Object.keys(fields);
    if (!keys.length) return;
    const sets = keys.map((k) => `${k} = ?`).join(", ");
    this.db.query(`UPDATE users SET ${sets}, updated_at = ? WHERE id = ?`).run(...(Object.values(fields) as (string | number | null)[]), now, id);
    if ("status" in fields || "role" in fields) this.accessChanged();
  }

  /**
   * Takes a TOTP time step for a user, once: true when it is newer than the last
   * one taken. The check and the mark are one statement, so the same code sent
   * six times at once signs in once.
   */
  useTotpStep(id: number, step: number, now: number): boolean {
    return (
      this.db
        .query("UPDATE users SET totp_last_step = ?, updated_at = ? WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)")
        .run(step, now, id, step).changes === 1
    );
  }

  delete(id: number): void {
    this.db.query("DELETE FROM users WHERE id = ?").run(id);
    this.accessChanged();
  }

  activeAdmins(): number {
    return this.db.query<{ n: number }, []>("SELECT count(*) AS n FROM users WHERE role = 'admin' AND status = 'active'").get()!.n;
  }

  /** Users who asked for failure alerts and can receive them. */
  alertRecipients(): User[] {
    return this.db.query<User, []>("SELECT * FROM users WHERE alerts = 1 AND status = 'active'").all();
  }

  // ---- sessions -----------------------------------------------------------------

  createSession(idHash: string, userId: number, now: number, expiresAt: number): void {
    this.db.query("INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)").run(idHash, userId, now, expiresAt);
  }

  /** The active user of a live session, and when the session expires. */
  sessionUser(idHash: string, now: number): { user: User; expiresAt: number } | null {
    const row = this.db
      .query<User & { session_expires_at: number }, [string, number]>(
        `SELECT u.*, s.expires_at AS session_expires_at FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.id_hash = ? AND s.expires_at > ? AND u.status = 'active'`,
      )
      .get(idHash, now);
    if (!row) return null;
    const { session_expires_at: expiresAt, ...user } = row;
    return { user, expiresAt };
  }

  deleteSession(idHash: string): void {
    this.db.query("DELETE FROM sessions WHERE id_hash = ?").run(idHash);
    this.accessChanged();
  }

  /** Ends every session of a user but the one kept (its hash), if any. */
  deleteSessions(userId: number, keep: string | null = null): void {
    this.db.query("DELETE FROM sessions WHERE user_id = ? AND id_hash IS DISTINCT FROM ?").run(userId, keep);
    this.accessChanged();
  }

  deleteExpiredSessions(now: number): void {
    this.db.query("DELETE FROM sessions WHERE expires_at <= ?").run(now);
  }

  // ---- API tokens ---------------------------------------------------------------

  createToken(userId: number, name: string, tokenHash: string, now: number): ApiToken {
    return this.db
      .query<ApiToken, [number, string, string, number]>(
        "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id, user_id, name, created_at, last_used_at",
      )
      .get(userId, name, tokenHash, now)!;
  }

  tokens(userId: number): ApiToken[] {
    return this.db
      .query<ApiToken, [number]>("SELECT id, user_id, name, created_at, last_used_at FROM api_tokens WHERE user_id = ? ORDER BY id")
      .all(userId);
  }

  tokenUser(tokenHash: string): { user: User; tokenId: number; lastUsed: number | null } | null {
    // one statement: every API request asks this (a round trip each on PostgreSQL)
    const row = this.db
      .query<User & { token_id: number; token_last_used_at: number | null }, [string]>(
        "SELECT u.*, t.id AS token_id, t.last_used_at AS token_last_used_at FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?",
      )
      .get(tokenHash);
    if (!row) return null;
    const { token_id: tokenId, token_last_used_at: lastUsed, ...user } = row;
    return user.status === "active" ? { user, tokenId, lastUsed } : null;
  }

  /** The active owner of a token that still exists. */
  tokenOwner(id: number): User | null {
    return this.db
      .query<User, [number]>("SELECT u.* FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = ? AND u.status = 'active'")
      .get(id);
  }

  touchToken(id: number, now: number): void {
    this.db.query("UPDATE api_tokens SET last_used_at = ? WHERE id = ?").run(now, id);
  }

  deleteToken(userId: number, id: number): boolean {
    const deleted = this.db.query("DELETE FROM api_tokens WHERE id = ? AND user_id = ?").run(id, userId).changes === 1;
    if (deleted) this.accessChanged();
    return deleted;
  }

  deleteTokens(userId: number): void {
    this.db.query("DELETE FROM api_tokens WHERE user_id = ?").run(userId);
    this.accessChanged();
  }

  // ---- set-password links -----------------------------------------------------------

  createLink(tokenHash: string, userId: number, purpose: LinkPurpose, now: number, expiresAt: number): void {
    this.db
      .query("INSERT INTO link_tokens (token_hash, user_id, purpose, created_at, expires_at) VALUES (?, ?, ?, ?, ?)")
      .run(tokenHash, userId, purpose, now, expiresAt);
  }

  /** Uses a link once: returns its user and purpose, or null when unknown, used or expired. */
  useLink(tokenHash: string, now: number): { user: User; purpose: LinkPurpose } | null {
    return this.db.transaction(() => {
      const link = this.db
        .query<{ user_id: number; purpose: LinkPurpose }, [string, number]>(
          "SELECT user_id, purpose FROM link_tokens WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
        )
        .get(tokenHash, now);
      if (!link) return null;
      const user = this.get(link.user_id);
      if (!user || user.status === "disabled") return null;
      // one link works once, and a new password retires every other link of the user
      this.db.query("UPDATE link_tokens SET used_at = ? WHERE user_id = ? AND used_at IS NULL").run(now, link.user_id);
      return { user, purpose: link.purpose };
    });
  }

  /** Ends every open link of a user (their password was changed another way). */
  retireLinks(userId: number, now: number): void {
    this.db.query("UPDATE link_tokens SET used_at = ? WHERE user_id = ? AND used_at IS NULL").run(now, userId);
  }

  lastLinkAt(userId: number, purpose: LinkPurpose): number | null {
    return (
      this.db
        .query<{ at: number | null }, [number, string]>("SELECT max(created_at) AS at FROM link_tokens WHERE user_id = ? AND purpose = ?")
        .get(userId, purpose)?.at ?? null
    );
  }
}
