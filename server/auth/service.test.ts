// The TOTP rules of AuthService with `now` injected: which step's code is
// accepted, that each step is taken once (atomically), and what turning the
// factor off needs. No server and no wall clock: time moves when a test says.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../config.ts";
import { openStores, type AllStores } from "../db/index.ts";
import type { Mailer } from "../mail/mailer.ts";
import { AuthService, type Principal } from "./service.ts";
import { totpCode } from "./totp.ts";
import { tempDir } from "../../tests/helpers/engine.ts";
import { tokenOfLink } from "../../tests/helpers/api.ts";

const STEP = 30_000;
/** the middle of a step: a code "of the next step" is one a clock 30 s ahead shows */
const T0 = Date.parse("2026-06-01T10:00:15Z");
const PASSWORD = "a password of the owner";
const noMail: Mailer = { send: async () => {} };

let dir: string;
let stores: AllStores;
let auth: AuthService;
let now: number;

beforeEach(() => {
  dir = tempDir();
  now = T0;
  stores = openStores(join(dir, "lightflow.db"));
  const config = loadConfig({ LIGHTFLOW_DATA_DIR: dir });
  auth = new AuthService({ config, users: stores.users, audit: stores.audit, mailer: noMail, publicUrl: () => "http://localhost", now: () => now });
});
afterEach(() => {
  stores.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The code an authenticator shows `steps` steps from now. */
const code = (secret: string, steps = 0) => totpCode(secret, now + steps * STEP);

/** An active user with a second factor being enrolled: its secret, and its principal as of now. */
async function enrolling(email: string): Promise<{ secret: string; me: () => Principal }> {
  const user = stores.users.insert(email, "viewer", now)!;
  const set = await auth.setPassword(tokenOfLink(auth.createLink(user, "invite")), PASSWORD);
  if (typeof set !== "object" || !set.session) throw new Error(`setPassword: ${JSON.stringify(set)}`);
  const session = set.session;
  const me = () => auth.authenticate(session, null)!;
  const started = await auth.startTotp(me(), { password: PASSWORD });
  if (typeof started !== "object") throw new Error(`startTotp: ${started}`);
  return { secret: started.secret, me };
}

/** A user whose factor was confirmed with the previous step's code (the step it leaves used). */
async function enrolled(email: string) {
  const u = await enrolling(email);
  expect(auth.confirmTotp(u.me(), code(u.secret, -1))).toBe("ok");
  return u;
}

const login = async (email: string, totp?: string) => {
  const r = await auth.login(email, PASSWORD, totp, "127.0.0.1");
  return r.ok ? "ok" : r.code;
};

describe("TOTP", () => {
  test("enrolment is confirmed by a code of the previous, current or next step, not one two steps away", async () => {
    for (const steps of [-2, -1, 0, 1, 2]) {
      const { secret, me } = await enrolling(`confirm${steps + 2}@example.com`);
      const expected = Math.abs(steps) <= 1 ? "ok" : "invalid_code";
      expect([steps, auth.confirmTotp(me(), code(secret, steps))]).toEqual([steps, expected]);
    }
  });

  test("the code that confirmed the enrolment does not sign in; the next step's does", async () => {
    const { secret, me } = await enrolling("confirmed@example.com");
    const confirming = code(secret);
    expect(auth.confirmTotp(me(), confirming)).toBe("ok");
    expect(await login("confirmed@example.com")).toBe("totp_required");
    expect(await login("confirmed@example.com", confirming)).toBe("totp_invalid");
    expect(await login("confirmed@example.com", code(secret, 1))).toBe("ok");
  });

  test("sign-in takes a code of the next or the previous step, not one two steps away", async () => {
    const { secret } = await enrolled("window@example.com");
    expect(await login("window@example.com", code(secret, 2))).toBe("totp_invalid");
    expect(await login("window@example.com", code(secret, 1))).toBe("ok"); // a phone clock running ahead
    now += 3 * STEP;
    expect(await login("window@example.com", code(secret, -2))).toBe("totp_invalid");
    expect(await login("window@example.com", code(secret, -1))).toBe("ok"); // a code typed as the step turned
  });

  test("a code signs in once: a replay, or a code of a step before the last one used, is refused", async () => {
    const { secret } = await enrolled("replay@example.com");
    const current = code(secret);
    expect(await login("replay@example.com", current)).toBe("ok");
    expect(await login("replay@example.com", current)).toBe("totp_invalid");
    expect(await login("replay@example.com", code(secret, 1))).toBe("ok");
    expect(await login("replay@example.com", current)).toBe("totp_invalid"); // still inside the window, but older
  });

  test("turning the factor off needs a fresh code: a used one or a wrong one is refused", async () => {
    const { secret, me } = await enrolled("off@example.com");
    const used = code(secret);
    expect(await login("off@example.com", used)).toBe("ok");
    expect(auth.disableTotp(me(), used)).toBe("invalid_code");
    expect(auth.disableTotp(me(), code(secret, 3))).toBe("invalid_code");
    expect(await login("off@example.com")).toBe("totp_required"); // still on
    const fresh = code(secret, 1);
    expect(auth.disableTotp(me(), fresh)).toBe("ok");
    expect(auth.disableTotp(me(), fresh)).toBe("not_enabled");
    expect(await login("off@example.com")).toBe("ok");
  });

  test("one code sent four times at once signs in once: its step is checked and taken in one step", async () => {
    const { secret } = await enrolled("race@example.com");
    const one = code(secret);
    const results = await Promise.all([1, 2, 3, 4].map(() => login("race@example.com", one)));
    expect(results.sort()).toEqual(["ok", "totp_invalid", "totp_invalid", "totp_invalid"]);
  });
});
