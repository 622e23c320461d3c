// Shared pieces of the request and response models.
import { Type, type SchemaOptions, type TLiteral, type TUnion } from "@sinclair/typebox";
import { t } from "elysia";
import { NAME_PATTERN } from "./limits.ts";

export { NAME_PATTERN, STEP_NAME_PATTERN } from "./limits.ts";

export const Name = (what: string) =>
  t.String({
    pattern: NAME_PATTERN,
    error: `${what}: 1 to 64 characters of A-Z a-z 0-9 _ . -, not only digits`,
  });

export const ErrorBody = t.Object({
  error: t.String(),
  field: t.Optional(t.String()),
});
export type ErrorBody = typeof ErrorBody.static;

export const Paging = t.Object({
  limit: t.Optional(t.Numeric({ minimum: 1, maximum: 500, error: "limit: a whole number from 1 to 500" })),
  before: t.Optional(t.Numeric({ minimum: 1, error: "before: a run or entry id" })),
});

export const Ok = t.Object({ ok: t.Boolean() });
export type Ok = typeof Ok.static;

/** A run's status; `queued` and `running` are live, the rest are final. */
export const RUN_STATUSES = ["queued", "running", "success", "failed", "cancelled"] as const;
/** `t.Union` of string literals, from a list that code can also iterate (a filter's pattern, a select's options). */
export const OneOf = <const V extends readonly string[]>(values: V, options?: SchemaOptions) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    options,
  ) as TUnion<{ -readonly [K in keyof V]: TLiteral<V[K]> }>;
export const RunStatus = OneOf(RUN_STATUSES);
export type RunStatus = typeof RunStatus.static;

export const RunFilter = t.Object({
  limit: t.Optional(t.Numeric({ minimum: 1, maximum: 500, error: "limit: a whole number from 1 to 500" })),
  before: t.Optional(t.Numeric({ minimum: 1, error: "before: a run id" })),
  status: t.Optional(
    t.String({
      pattern: `^(${RUN_STATUSES.join("|")})(,(${RUN_STATUSES.join("|")}))*$`,
      error: `status: one or more of ${RUN_STATUSES.join(", ")}, separated by commas`,
    }),
  ),
  from: t.Optional(t.String({ format: "date-time", error: "from: an ISO 8601 time such as 2026-11-01T00:00:00Z" })),
  to: t.Optional(t.String({ format: "date-time", error: "to: an ISO 8601 time such as 2026-12-01T00:00:00Z" })),
});
