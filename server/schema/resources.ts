// Pools, variables, accounts.
import { Type } from "@sinclair/typebox";
import { t } from "elysia";
import { Name } from "./common.ts";

export const PoolInput = t.Object(
  { name: Name("name"), slots: Type.Integer({ minimum: 1, maximum: 1000, error: "slots: a whole number from 1 to 1000" }) },
  { additionalProperties: false },
);
export const PoolSlots = t.Object(
  { slots: Type.Integer({ minimum: 1, maximum: 1000, error: "slots: a whole number from 1 to 1000" }) },
  { additionalProperties: false },
);
export const PoolOut = t.Object({ name: t.String(), slots: t.Number(), running: t.Number(), queued: t.Number() });

export const VARIABLE_KEY = "^[A-Za-z_][A-Za-z0-9_]*$";
const Value = t.String({ maxLength: 65536, error: "value: text of at most 64 KiB" });
export const VariableInput = t.Object(
  {
    key: t.String({ pattern: VARIABLE_KEY, maxLength: 128, error: "key: letters, digits and _, not starting with a digit" }),
    value: Value,
    secret: t.Optional(t.Boolean({ error: "secret: true or false" })),
  },
  { additionalProperties: false },
);
export const VariableUpdate = t.Object(
  { value: t.Optional(Value), secret: t.Optional(t.Boolean({ error: "secret: true or false" })) },
  { additionalProperties: false },
);
export const SetupVariable = t.Object(
  {
    key: t.String({ pattern: VARIABLE_KEY, maxLength: 128, error: "key: letters, digits and _, not starting with a digit" }),
    value: t.Optional(Value),
    secret: t.Optional(t.Boolean({ error: "secret: true or false" })),
  },
  { additionalProperties: false },
);

export const VariableOut = t.Object({ key: t.String(), value: t.Nullable(t.String()), secret: t.Boolean() });

export const Email = t.String({ maxLength: 254, pattern: "^[^\\s@]+@[^\\s@]+$", error: "email: an e-mail address" });
export const Password = t.String({ maxLength: 1024, error: "password: at least 10 characters" });

export const LoginInput = t.Object(
  { email: Email, password: t.String({ maxLength: 1024, error: "password: text" }), totp: t.Optional(t.String({ maxLength: 16, error: "totp: the 6-digit code" })) },
  { additionalProperties: false },
);
export const SetPasswordInput = t.Object(
  { token: t.String({ minLength: 1, maxLength: 200, error: "token: the token from the link" }), password: Password },
  { additionalProperties: false },
);
export const ForgotInput = t.Object({ email: Email }, { additionalProperties: false });
export const MePatch = t.Object({ alerts: t.Optional(t.Boolean({ error: "alerts: true or false" })) }, { additionalProperties: false });
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
export const UserOut = t.Object({ id: t.Number(), email: t.String(), role: t.String(), totp_enabled: t.Boolean(), alerts: t.Boolean() });
export const InviteInput = t.Object(
  { email: Email, role: t.Union([t.Literal("admin"), t.Literal("viewer")], { error: 'role: "admin" or "viewer"' }) },
  { additionalProperties: false },
);
export const UserPatch = t.Object(
  {
    role: t.Optional(t.Union([t.Literal("admin"), t.Literal("viewer")], { error: 'role: "admin" or "viewer"' })),
    disabled: t.Optional(t.Boolean({ error: "disabled: true or false" })),
  },
  { additionalProperties: false },
);
