// Shared pieces of the request and response models.
import { t } from "elysia";

/** Task, step and pool names: a handle in URLs and in log paths. */
export const NAME_PATTERN = "^(?!\\.{1,2}$)(?!\\d+$)[A-Za-z0-9_.-]{1,64}$";
export const STEP_NAME_PATTERN = "^(?!\\.{1,2}$)[A-Za-z0-9_.-]{1,64}$";

export const Name = (what: string) =>
  t.String({
    pattern: NAME_PATTERN,
    error: `${what}: 1 to 64 characters of A-Z a-z 0-9 _ . -, not only digits`,
  });

export const ErrorBody = t.Object({
  error: t.String(),
  field: t.Optional(t.String()),
});

export const Paging = t.Object({
  limit: t.Optional(t.Numeric({ minimum: 1, maximum: 500, error: "limit: a whole number from 1 to 500" })),
  before: t.Optional(t.Numeric({ minimum: 1, error: "before: a run or entry id" })),
});

export const Ok = t.Object({ ok: t.Boolean() });

export const RunFilter = t.Object({
  limit: t.Optional(t.Numeric({ minimum: 1, maximum: 500, error: "limit: a whole number from 1 to 500" })),
  before: t.Optional(t.Numeric({ minimum: 1, error: "before: a run id" })),
  status: t.Optional(
    t.String({
      pattern: "^(queued|running|success|failed|cancelled)(,(queued|running|success|failed|cancelled))*$",
      error: "status: one or more of queued, running, success, failed, cancelled, separated by commas",
    }),
  ),
  from: t.Optional(t.String({ format: "date-time", error: "from: an ISO 8601 time such as 2026-11-01T00:00:00Z" })),
  to: t.Optional(t.String({ format: "date-time", error: "to: an ISO 8601 time such as 2026-12-01T00:00:00Z" })),
});
