// Pools, variables, accounts.
import { Type } from "@sinclair/typebox";
import { t } from "elysia";
import { Name, OneOf } from "./common.ts";
import { PASSWORD_MIN_LENGTH, POOL_SLOTS, VARIABLE_KEY } from "./limits.ts";

export { VARIABLE_KEY } from "./limits.ts";

const Slots = () =>
  Type.Integer({ minimum: POOL_SLOTS.min, maximum: POOL_SLOTS.max, error: `slots: a whole number from ${POOL_SLOTS.min} to ${POOL_SLOTS.max}` });
export const PoolInput = t.Object({ name: Name("name"), slots: Slots() }, { additionalProperties: false });
export const PoolSlots = t.Object({ slots: Slots() }, { additionalProperties: false });
export const PoolOut = t.Object({ name: t.String(), slots: Type.Integer(), running: Type.Integer(), queued: Type.Integer() });
export type PoolOut = typeof PoolOut.static;
const Value = t.String({ maxLength: 65536, error: "value: text of at most 64 KiB" });
export const VariableInput = t.Object(
  {
    key: t.String({ pattern: VARIABLE_KEY, maxLength: 128, error: "key: letters, digits and _, not starting with a digit" }),
    value: Value,
    secret: t.Optional(t.Boolean({ error: "secret: true or false" })),
  },
  { additionalProperties: false },
);
export type VariableInput = typeof VariableInput.static;
export const VariableUpdate = t.Object(
  { value: t.Optional(Value), secret: t.Optional(t.Boolean({ error: "secret: true or false" })) },
  { additionalProperties: false },
);
export type VariableUpdate = typeof VariableUpdate.static;
export const SetupVariable = t.Object(
  {
    key: t.String({ pattern: VARIABLE_KEY, maxLength: 128, error: "key: letters, digits and _, not starting with a digit" }),
    value: t.Optional(Value),
    secret: t.Optional(t.Boolean({ error: "secret: true or false" })),
  },
  { additionalProperties: false },
);

export const VariableOut = t.Object({
  key: t.String(),
  /** null for secrets: their value is write-only */
  value: t.Nullable(t.String()),
  secret: t.Boolean(),
});
export type VariableOut = typeof VariableOut.static;

export const Email = t.String({ maxLength: 254, pattern: "^[^\\s@]+@[^\\s@]+$", error: "email: an e-mail address" });
// the length is checked by the auth service (it answers "weak_password"), not here: the message is the same either way
export const Password = t.String({ maxLength: 1024, error: `password: at least ${PASSWORD_MIN_LENGTH} characters` });

export const LoginInput = t.Object(
  { email: Email, password: t.String({ maxLength: 1024, error: "password: text" }), totp: t.Optional(t.String({ maxLength: 16, error: "totp: the 6-digit code" })) },
  { additionalProperties: false },
);
export type LoginInput = typeof LoginInput.static;
export const SetPasswordInput = t.Object(
  { token: t.String({ minLength: 1, maxLength: 200, error: "token: the token from the link" }), password: Password },
  { additionalProperties: false },
);
export const ForgotInput = t.Object({ email: Email }, { additionalProperties: false });
export const MePatch = t.Object({ alerts: t.Optional(t.Boolean({ error: "alerts: true or false" })) }, { additionalProperties: false });
export type MePatch = typeof MePatch.static;
export const PasswordChange = t.Object(
  { current: t.String({ maxLength: 1024, error: "current: your current password" }), password: Password },
  { additionalProperties: false },
);
const Code = t.String({ maxLength: 16, error: "code: the 6-digit code" });
export const CodeInput = t.Object({ code: Code }, { additionalProperties: false });
/** Enrolling a second factor: the password, or a code of the factor being replaced. */
export const TotpStartInput = t.Object(
  { password: t.Optional(t.String({ maxLength: 1024, error: "password: your current password" })), code: t.Optional(Code) },
  { additionalProperties: false },
);
export const TokenInput = t.Object(
  { name: t.String({ minLength: 1, maxLength: 100, pattern: "^[^\\u0000]+$", error: "name: 1 to 100 characters" }) },
  { additionalProperties: false },
);

export const ROLES = ["admin", "viewer"] as const;
export const Role = OneOf(ROLES);
export type Role = typeof Role.static;
/** pending: invited, no password yet */
export const UserStatus = OneOf(["pending", "active", "disabled"]);
export type UserStatus = typeof UserStatus.static;

/** The signed-in user (GET /api/me, and the answer to signing in). */
export const UserOut = t.Object({ id: Type.Integer(), email: t.String(), role: Role, totp_enabled: t.Boolean(), alerts: t.Boolean() });
export type UserOut = typeof UserOut.static;
export const LoginOut = t.Object({ user: UserOut });
/** A sign-in refused with 401: `totp_required` when the password was right and a code is needed (or was wrong). */
export const LoginRefusedOut = t.Object({ error: t.String(), field: t.Optional(t.String()), totp_required: t.Optional(t.Literal(true)) });
export type LoginOut = typeof LoginOut.static;
/** `totp_required`: the password is set, and a user with a second factor signs in with a code next. */
export const SetPasswordOut = t.Object({ user: UserOut, totp_required: t.Optional(t.Literal(true)) });
export type SetPasswordOut = typeof SetPasswordOut.static;
export const AuthStateOut = t.Object({ first_run: t.Boolean() });
export type AuthStateOut = typeof AuthStateOut.static;
export const TotpEnrolmentOut = t.Object({ secret: t.String(), uri: t.String() });
export type TotpEnrolmentOut = typeof TotpEnrolmentOut.static;
export const ApiTokenOut = t.Object({ id: Type.Integer(), name: t.String(), created_at: t.String(), last_used_at: t.Nullable(t.String()) });
export type ApiTokenOut = typeof ApiTokenOut.static;
/** Returned once, at creation: the only time the token is shown. */
export const NewApiTokenOut = t.Object({ id: Type.Integer(), name: t.String(), token: t.String() });
export type NewApiTokenOut = typeof NewApiTokenOut.static;

/** An account as admins see it (GET /api/users). */
export const UserRow = t.Object({
  id: Type.Integer(),
  email: t.String(),
  role: Role,
  status: UserStatus,
  totp_enabled: t.Boolean(),
  created_at: t.String(),
});
export type UserRow = typeof UserRow.static;
export const InviteInput = t.Object({ email: Email, role: OneOf(ROLES, { error: 'role: "admin" or "viewer"' }) }, { additionalProperties: false });
export const UserPatch = t.Object(
  {
    role: t.Optional(OneOf(ROLES, { error: 'role: "admin" or "viewer"' })),
    disabled: t.Optional(t.Boolean({ error: "disabled: true or false" })),
  },
  { additionalProperties: false },
);
export type UserPatch = typeof UserPatch.static;

export const AuditEntryOut = t.Object({
  id: Type.Integer(),
  at: t.String(),
  user: t.Nullable(t.String()),
  action: t.String(),
  target: t.Nullable(t.String()),
  detail: t.Nullable(t.String()),
  /** the node that answered the request (LIGHTFLOW_NODE_NAME); null for entries older than nodes */
  node: t.Nullable(t.String()),
});
export type AuditEntryOut = typeof AuditEntryOut.static;

/** GET and PUT /api/settings. */
export const SettingsOut = t.Object({ alert_webhook_url: t.Nullable(t.String()) });
export type SettingsOut = typeof SettingsOut.static;

export const AboutOut = t.Object({ version: t.String(), commit: t.String(), build_date: t.String(), started_at: t.String(), timezone: t.String() });
export type AboutOut = typeof AboutOut.static;

/** GET /api/nodes: the nodes sharing the database (one on SQLite). */
export const NodeOut = t.Object({
  name: t.String(),
  labels: t.Array(t.String()),
  /** where the other nodes reach it (LIGHTFLOW_NODE_URL) */
  url: t.Nullable(t.String()),
  started_at: t.String(),
  /** its lease: renewed every 2.5 s; a node not seen for 10 s is not alive */
  last_seen_at: t.String(),
  /** it schedules, places queued runs and keeps retention */
  leader: t.Boolean(),
  /** runs running on it now */
  running: Type.Integer(),
  /** how many runs it takes at once (its LIGHTFLOW_GLOBAL_CONCURRENCY) */
  capacity: Type.Integer(),
  alive: t.Boolean(),
});
export type NodeOut = typeof NodeOut.static;
