// User administration by admins: roles, disabling, deleting, second-factor
// reset. The last active admin can be neither demoted, disabled nor deleted.
import type { AuditStore } from "../engine/stores.ts";
import type { Role, User, UserStore } from "./store.ts";

export type AdminError = "user_not_found" | "last_admin";

export class UserAdmin {
  constructor(
    private readonly users: UserStore,
    private readonly audit: AuditStore,
    private readonly now: () => number = Date.now,
  ) {}

  private isLastAdmin(u: User): boolean {
    return u.role === "admin" && u.status === "active" && this.users.activeAdmins() <= 1;
  }

  update(id: number, change: { role?: Role; disabled?: boolean }, by: User): User | AdminError {
    const u = this.users.get(id);
    if (!u) return "user_not_found";
    const demoted = change.role !== undefined && change.role !== "admin";
    if ((demoted || change.disabled === true) && this.isLastAdmin(u)) return "last_admin";
    const fields: Partial<User> = {};
    if (change.role !== undefined && change.role !== u.role) fields.role = change.role;
    if (change.disabled === true && u.status !== "disabled") fields.status = "disabled";
    if (change.disabled === false && u.status === "disabled") fields.status = u.password_hash ? "active" : "pending";
    this.users.update(id, fields, this.now());
    if (fields.status === "disabled") {
      // a disabled user's sessions and tokens stop working at once
      this.users.deleteSessions(id);
      this.users.deleteTokens(id);
    }
    if (fields.role) this.audit.add(by.email, "user.role", u.email, fields.role);
    if (fields.status) this.audit.add(by.email, fields.status === "disabled" ? "user.disable" : "user.enable", u.email);
    return this.users.get(id)!;
  }

  resetTotp(id: number, by: User): User | AdminError {
    const u = this.users.get(id);
    if (!u) return "user_not_found";
    this.users.update(id, { totp_secret: null, totp_pending: null, totp_last_step: null }, this.now());
    this.audit.add(by.email, "totp.reset", u.email);
    return this.users.get(id)!;
  }

  delete(id: number, by: User): true | AdminError {
    const u = this.users.get(id);
    if (!u) return "user_not_found";
    if (this.isLastAdmin(u)) return "last_admin";
    this.users.delete(id);
    this.audit.add(by.email, "user.delete", u.email);
    return true;
  }
}
