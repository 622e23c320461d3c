// What accounts need from a store: users, their sessions, API tokens and
// set-password links, each secret kept as a SHA-256 hash. db/users.ts implements
// it on SQLite; nothing in auth/ or http/ knows which store is behind it.
import type { Role, UserStatus } from "../schema/resources.ts";

/** the API's words for them (server/schema/) */
export type { Role, UserStatus };
export type LinkPurpose = "setup" | "invite" | "reset";

export interface User {
  id: number;
  email: string;
  role: Role;
  status: UserStatus;
  password_hash: string | null;
  totp_secret: string | null;
  totp_pending: string | null;
  totp_last_step: number | null;
  alerts: number;
  created_at: number;
  updated_at: number;
}

export interface ApiToken {
  id: number;
  user_id: number;
  name: string;
  created_at: number;
  last_used_at: number | null;
}


export interface UserStore {
  /** told after every change that can end someone's access (auth/watch.ts) */
  onAccessChange(listener: () => void): () => void;
  list(): User[];
  get(id: number): User | null;
  byEmail(email: string): User | null;
  /** a pending user, or null when the address is taken */
  insert(email: string, role: Role, now: number): User | null;
  update(id: number, fields: Partial<Omit<User, "id" | "created_at">>, now: number): void;
  /** takes a TOTP time step once: true when it is newer than the last one taken (atomic) */
  useTotpStep(id: number, step: number, now: number): boolean;
  delete(id: number): void;
  activeAdmins(): number;
  alertRecipients(): User[];

  createSession(idHash: string, userId: number, now: number, expiresAt: number): void;
  sessionUser(idHash: string, now: number): { user: User; expiresAt: number } | null;
  deleteSession(idHash: string): void;
  /** every session of the user but `keep` */
  deleteSessions(userId: number, keep?: string | null): void;
  deleteExpiredSessions(now: number): void;

  createToken(userId: number, name: string, tokenHash: string, now: number): ApiToken;
  tokens(userId: number): ApiToken[];
  tokenUser(tokenHash: string): { user: User; tokenId: number; lastUsed: number | null } | null;
  tokenOwner(id: number): User | null;
  touchToken(id: number, now: number): void;
  deleteToken(userId: number, id: number): boolean;
  deleteTokens(userId: number): void;

  createLink(tokenHash: string, userId: number, purpose: LinkPurpose, now: number, expiresAt: number): void;
  /** uses a link once (atomic): its user and purpose, or null when unknown, used or expired */
  useLink(tokenHash: string, now: number): { user: User; purpose: LinkPurpose } | null;
  retireLinks(userId: number, now: number): void;
  lastLinkAt(userId: number, purpose: LinkPurpose): number | null;
}
