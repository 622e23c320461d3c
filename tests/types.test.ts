// The client's API types come from the server's schemas, and those schemas
// agree with the domain types the server fills them from. Most of this file is
// checked by the compiler (`bunx tsc --noEmit -p .`): an assertion that stops
// holding is a type error, not a failed test. The tests below check what the
// compiler cannot: the limits the forms check are the ones the schemas enforce,
// and the client imports nothing from the server but types and those limits.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type * as Client from "../client/src/types.ts";
import type { AuditEntry as AuditRow } from "../server/db/audit.ts";
import type { Role as DbRole, UserStatus as DbUserStatus } from "../server/db/users.ts";
import type { Change } from "../server/engine/setup.ts";
import type * as Domain from "../server/engine/types.ts";
import { MIN_PASSWORD_LENGTH } from "../server/auth/passwords.ts";
import type { runOut, stepOut, taskOut } from "../server/http/serialize.ts";
import * as limits from "../server/schema/limits.ts";
import { PoolInput, Password } from "../server/schema/resources.ts";
import { StepInput, TaskInput } from "../server/schema/tasks.ts";

/** true when A and B are the same type (not merely assignable one way). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when given `true`. */
const holds = <T extends true>() => {};

// The drift that started this: the client's steps had no `retry_at`.
holds<"retry_at" extends keyof Client.RunStep ? true : false>();
holds<Equal<Client.RunStep["retry_at"], string | null>>();
holds<Equal<Client.Run["steps"][number], Client.RunStep>>();

// What the serializers build is what the client reads.
holds<Equal<ReturnType<typeof runOut>, Client.Run>>();
holds<Equal<ReturnType<typeof stepOut>, Client.RunStep>>();
holds<Equal<ReturnType<typeof taskOut>, Client.Task>>();

// Status fields are unions, the same ones the engine and the database use.
holds<Equal<Client.RunStatus, Domain.RunStatus>>();
holds<Equal<Client.Run["status"], Domain.RunStatus>>();
holds<Equal<Client.StepStatus, Domain.StepStatus>>();
holds<Equal<Client.RunStep["status"], Domain.StepStatus>>();
holds<Equal<Client.Trigger, Domain.Trigger>>();
holds<Equal<Client.RunRule, Domain.RunRule>>();
holds<Equal<Client.Step["run_rule"], Domain.RunRule>>();
holds<Equal<Client.Role, DbRole>>();
holds<Equal<Client.User["status"], DbUserStatus>>();
holds<Equal<Client.Me["role"], DbRole>>();
holds<Equal<Client.ImportChange, Change>>();
holds<Equal<Omit<Client.AuditEntry, "at">, Omit<AuditRow, "at">>>();
// the live socket carries what the REST API gives
holds<Equal<Extract<Client.LiveEvent, { type: "run" }>["run"], Client.Run>>();
holds<Equal<Extract<Client.LogMessage, { type: "end" }>["step"], Client.RunStep>>();

describe("limits", () => {
  test("the step and task limits the forms check are the ones the schemas enforce", () => {
    const step = StepInput.properties;
    expect([step.timeout_s.minimum, step.timeout_s.maximum]).toEqual([limits.STEP_TIMEOUT_S.min, limits.STEP_TIMEOUT_S.max]);
    expect([step.retries.minimum, step.retries.maximum]).toEqual([limits.STEP_RETRIES.min, limits.STEP_RETRIES.max]);
    expect([step.retry_delay_s.minimum, step.retry_delay_s.maximum]).toEqual([limits.RETRY_DELAY_S.min, limits.RETRY_DELAY_S.max]);
    expect(step.name.pattern).toBe(limits.STEP_NAME_PATTERN);
    const task = TaskInput.properties;
    expect([task.steps.minItems, task.steps.maxItems]).toEqual([limits.STEPS_PER_TASK.min, limits.STEPS_PER_TASK.max]);
    expect(task.name.pattern).toBe(limits.NAME_PATTERN);
    expect(JSON.stringify(task.start_deadline_s)).toContain(`"minimum":${limits.START_DEADLINE_S.min},"maximum":${limits.START_DEADLINE_S.max}`);
    expect([PoolInput.properties.slots.minimum, PoolInput.properties.slots.maximum]).toEqual([limits.POOL_SLOTS.min, limits.POOL_SLOTS.max]);
  });

  test("the password length the forms ask for is the one the auth service enforces", () => {
    expect(limits.PASSWORD_MIN_LENGTH).toBe(MIN_PASSWORD_LENGTH);
    expect(Password.error).toBe(`password: at least ${MIN_PASSWORD_LENGTH} characters`);
  });

  test("the limits module imports nothing, so the client bundle stays free of server code", () => {
    const text = readFileSync(join(import.meta.dir, "../server/schema/limits.ts"), "utf8");
    expect(text).not.toMatch(/^\s*(import|export .* from)\b/m);
  });
});

describe("client imports from the server", () => {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : /\.tsx?$/.test(n) ? [join(dir, n)] : []));

  test("are types, or the limits module", () => {
    const offending: string[] = [];
    for (const f of files(join(import.meta.dir, "../client/src"))) {
      const src = readFileSync(f, "utf8");
      // every import or re-export statement naming a module under server/
      for (const m of src.matchAll(/^(import|export)\s+(type\s+)?[^;]*?from\s+"([^"]*\/server\/[^"]*)"/gms)) {
        if (m[2] || m[3]!.endsWith("/server/schema/limits.ts")) continue;
        offending.push(`${f}: ${m[0].replace(/\s+/g, " ")}`);
      }
    }
    expect(offending).toEqual([]);
  });
});
