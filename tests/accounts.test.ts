// Accounts with real mail: setup and invitation links, forgot password, TOTP,
// throttling, sessions, user admin, failure alerts, audit, the CLI link.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { totpCode } from "../server/auth/totp.ts";
import { cookieOf, request, runEnded, sendPreviousTotpCode, tokenOfLink, type Api } from "./helpers/api.ts";
import { runCli, startServer, type ServerProcess } from "./helpers/server.ts";
import { linkIn, smtpEnv, startSmtp, type Smtp } from "./helpers/smtp.ts";
import { storeOf } from "./helpers/store.ts";

const ADMIN = "root@example.com";
const PASSWORD = "a long admin password";

let smtp: Smtp;
let server: ServerProcess;
let admin: Api["call"];

async function setPassword(link: string, password: string): Promise<Response> {
  return request(server.url, "POST", "/api/auth/set-password", { token: tokenOfLink(link), password });
}
const login = (email: string, password: string, totp?: string) =>
  request(server.url, "POST", "/api/auth/login", totp === undefined ? { email, password } : { email, password, totp });
const as = (cookie: string) => (method: string, path: string, body?: unknown) => request(server.url, method, path, body, { cookie });
const mailTo = (to: string, subject: RegExp) => smtp.next((m) => m.to.includes(to) && subject.test(m.subject));

/** Invites, receives the mail, sets the password: returns a session cookie. */
async function newUser(email: string, role: "admin" | "viewer", password = "user password 123"): Promise<string> {
  expect((await admin("POST", "/api/users", { email, role })).status).toBe(201);
  const mail = await mailTo(email, /invited/);
  const r = await setPassword(linkIn(mail)!, password);
  expect(r.status).toBe(200);
  return cookieOf(r);
}

beforeAll(async () => {
  smtp = await startSmtp();
  server = await startServer({
    env: { LIGHTFLOW_ADMIN_EMAIL: ADMIN, ...smtpEnv(smtp) },
  });
});
afterAll(async () => {
  await server?.stop();
  server?.cleanup();
  await smtp?.close();
});

describe("first admin", () => {
  test("the setup link is mailed and printed, works once, and the button goes away", async () => {
    expect(await (await request(server.url, "GET", "/api/auth/state")).json()).toEqual({ first_run: true });
    expect((await request(server.url, "POST", "/api/auth/setup-link")).status).toBe(202);
    const mail = await mailTo(ADMIN, /Set up/);
    expect(mail.from).toBe("lightflow@example.com");
    const link = linkIn(mail)!;
    expect(link.startsWith(`${server.url}/set-password#token=`)).toBe(true);
    expect(tokenOfLink(link).length).toBeGreaterThanOrEqual(43); // 256 bits, base64url
    expect(server.output()).toContain(`admin setup link for ${ADMIN}: ${link}`);
    expect((await setPassword(link, "short")).status).toBe(422);
    const set = await setPassword(link, PASSWORD);
    expect(set.status).toBe(200);
    expect((await setPassword(link, PASSWORD)).status).toBe(400); // works once
    const cookie = cookieOf(set);
    admin = as(cookie);
    expect((await admin("GET", "/api/me")).status).toBe(200);
    expect(await (await request(server.url, "GET", "/api/auth/state")).json()).toEqual({ first_run: false });
    expect((await request(server.url, "POST", "/api/auth/setup-link")).status).toBe(409);
  });
});

describe("links", () => {
  test("an invitation creates a pending account that the link activates with its role", async () => {
    expect((await admin("POST", "/api/users", { email: "v1@example.com", role: "viewer" })).status).toBe(201);
    const users = await (await admin("GET", "/api/users")).json();
    expect(users.find((u: any) => u.email === "v1@example.com")).toMatchObject({ role: "viewer", status: "pending" });
    expect((await login("v1@example.com", "anything at all")).status).toBe(401);
    const mail = await mailTo("v1@example.com", /invited/);
    expect(mail.text).toContain("as a viewer");
    const r = await setPassword(linkIn(mail)!, "viewer password 1");
    expect(r.status).toBe(200);
    expect((await r.json()).user).toMatchObject({ email: "v1@example.com", role: "viewer" });
    expect((await admin("POST", "/api/users", { email: "v1@example.com", role: "viewer" })).status).toBe(409);
  });

  test("an expired link is refused", async () => {
    expect((await admin("POST", "/api/users", { email: "late@example.com", role: "viewer" })).status).toBe(201);
    const link = linkIn(await mailTo("late@example.com", /invited/))!;
    const db = await storeOf(server.dir);
    db.query("UPDATE link_tokens SET expires_at = ? WHERE user_id = (SELECT id FROM users WHERE email = ?)").run(Date.now() - 1, "late@example.com");
    db.close();
    const r = await setPassword(link, "a fine password");
    expect(r.status).toBe(400);
    expect((await r.json()).error).toContain("expired");
  });

  test("forgot password: one answer either way, one mail a minute, a one-hour link", async () => {
    await newUser("forgetful@example.com", "viewer");
    const known = await request(server.url, "POST", "/api/auth/forgot", { email: "forgetful@example.com" });
    const unknown = await request(server.url, "POST", "/api/auth/forgot", { email: "nobody@example.com" });
    expect([known.status, await known.text()]).toEqual([unknown.status, await unknown.text()]);
    expect(known.status).toBe(202);
    const mail = await mailTo("forgetful@example.com", /Reset/);
    expect(mail.text).toContain("expires in 60 minutes");
    await request(server.url, "POST", "/api/auth/forgot", { email: "forgetful@example.com" });
    // a mail to someone else proves the mailer ran after the second request
    await newUser("marker@example.com", "viewer");
    expect(smtp.mails.filter((m) => m.to.includes("forgetful@example.com") && /Reset/.test(m.subject)).length).toBe(1);
    expect(smtp.mails.some((m) => m.to.includes("nobody@example.com"))).toBe(false);
    const r = await setPassword(linkIn(mail)!, "a brand new password");
    expect(r.status).toBe(200);
    expect((await login("forgetful@example.com", "a brand new password")).status).toBe(200);
  });
});

describe("sessions and passwords", () => {
  test("changing the password ends every other session, keeps this one", async () => {
    const first = await newUser("multi@example.com", "viewer", "first password 1");
    const second = cookieOf(await login("multi@example.com", "first password 1"));
    expect((await as(second)("GET", "/api/me")).status).toBe(200);
    expect((await as(first)("POST", "/api/me/password", { current: "wrong password", password: "second password 2" })).status).toBe(403);
    expect((await as(first)("POST", "/api/me/password", { current: "first password 1", password: "second password 2" })).status).toBe(200);
    expect((await as(second)("GET", "/api/me")).status).toBe(401);
    expect((await as(first)("GET", "/api/me")).status).toBe(200);
    expect((await login("multi@example.com", "first password 1")).status).toBe(401);
    expect((await login("multi@example.com", "second password 2")).status).toBe(200);
  });

  test("setting a password from a link ends the user's other sessions", async () => {
    const old = await newUser("relinked@example.com", "viewer");
    await request(server.url, "POST", "/api/auth/forgot", { email: "relinked@example.com" });
    const link = linkIn(await mailTo("relinked@example.com", /Reset/))!;
    expect((await setPassword(link, "another password 9")).status).toBe(200);
    expect((await as(old)("GET", "/api/me")).status).toBe(401);
  });

  test("failed logins are throttled per account with 429 and Retry-After", async () => {
    await newUser("target@example.com", "viewer", "the right password");
    for (let i = 0; i < 5; i++) expect((await login("target@example.com", `wrong ${i} password`)).status).toBe(401);
    const blocked = await login("target@example.com", "the right password");
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    // other accounts from elsewhere are not affected
    expect((await login(ADMIN, PASSWORD)).status).toBe(200);
  });
});

/** The code of the step the server is in (`steps` = 1: the next one): inside its window even if a step ends meanwhile. */
const codeNow = (secret: string, steps = 0) => totpCode(secret, Date.now() + steps * 30_000);

describe("TOTP", () => {
  test("enrol, confirm, sign in with a code, refuse a replayed code, disable", async () => {
    const cookie = await newUser("otp@example.com", "viewer", "otp user password");
    const me = as(cookie);
    expect((await me("POST", "/api/me/totp", {})).status).toBe(422); // a session alone cannot set a factor
    expect((await me("POST", "/api/me/totp", { password: "not my password" })).status).toBe(422);
    const { secret, uri } = await (await me("POST", "/api/me/totp", { password: "otp user password" })).json();
    expect(uri).toStartWith("otpauth://totp/");
    expect(uri).toContain(`secret=${secret}`);
    expect((await me("POST", "/api/me/totp/confirm", { code: "000000" })).status).toBe(422);
    // codes of three steps in a row (the previous, the current, the next), as an app shows a fresh one
    // each time; the window rules themselves are tested in process (server/auth/service.test.ts)
    expect((await sendPreviousTotpCode(secret, (code) => me("POST", "/api/me/totp/confirm", { code }))).status).toBe(200);
    expect((await me("GET", "/api/me")).status).toBe(200);
    expect(((await (await me("GET", "/api/me")).json()) as any).totp_enabled).toBe(true);

    const noCode = await login("otp@example.com", "otp user password");
    expect(noCode.status).toBe(401);
    expect(await noCode.json()).toMatchObject({ totp_required: true });
    const code = codeNow(secret);
    expect((await login("otp@example.com", "otp user password", code)).status).toBe(200);
    expect((await login("otp@example.com", "otp user password", code)).status).toBe(401); // a code works once
    expect((await me("DELETE", "/api/me/totp", { code: codeNow(secret, 1) })).status).toBe(204);
    expect((await login("otp@example.com", "otp user password")).status).toBe(200);
  });

  test("an admin can remove another user's second factor", async () => {
    const cookie = await newUser("lostphone@example.com", "viewer", "lost phone password");
    const { secret } = await (await as(cookie)("POST", "/api/me/totp", { password: "lost phone password" })).json();
    await as(cookie)("POST", "/api/me/totp/confirm", { code: codeNow(secret) });
    expect((await login("lostphone@example.com", "lost phone password")).status).toBe(401);
    const users = await (await admin("GET", "/api/users")).json();
    const id = users.find((u: any) => u.email === "lostphone@example.com").id;
    expect((await admin("DELETE", `/api/users/${id}/totp`)).status).toBe(204);
    expect((await login("lostphone@example.com", "lost phone password")).status).toBe(200);
  });
});

describe("what only the owner may change", () => {
  test("a reset link sets the password of a user with a second factor, but only a code signs them in", async () => {
    const cookie = await newUser("twofactor@example.com", "viewer", "first password 11");
    const { secret } = await (await as(cookie)("POST", "/api/me/totp", { password: "first password 11" })).json();
    expect((await sendPreviousTotpCode(secret, (code) => as(cookie)("POST", "/api/me/totp/confirm", { code }))).status).toBe(200);
    await request(server.url, "POST", "/api/auth/forgot", { email: "twofactor@example.com" });
    const r = await setPassword(linkIn(await mailTo("twofactor@example.com", /Reset/))!, "second password 22");
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ totp_required: true, user: { email: "twofactor@example.com" } });
    expect(r.headers.get("set-cookie")).toBeNull(); // the mailbox alone is not a sign-in
    expect((await as(cookie)("GET", "/api/me")).status).toBe(401); // and the old session ended
    expect(await (await login("twofactor@example.com", "second password 22")).json()).toMatchObject({ totp_required: true });
    expect((await login("twofactor@example.com", "second password 22", codeNow(secret))).status).toBe(200);
  });

  test("replacing a second factor needs the password or a current code, not a session alone", async () => {
    const cookie = await newUser("replacer@example.com", "viewer", "replacer password");
    const me = as(cookie);
    const first = (await (await me("POST", "/api/me/totp", { password: "replacer password" })).json()).secret;
    expect((await sendPreviousTotpCode(first, (code) => me("POST", "/api/me/totp/confirm", { code }))).status).toBe(200);
    expect((await me("POST", "/api/me/totp", {})).status).toBe(422);
    expect((await me("POST", "/api/me/totp", { code: "123456" })).status).toBe(422);
    const second = await me("POST", "/api/me/totp", { code: codeNow(first) });
    expect(second.status).toBe(200);
    const { secret } = await second.json();
    expect((await me("POST", "/api/me/totp/confirm", { code: codeNow(secret) })).status).toBe(200);
    // the old factor is gone: its next code does not sign in, the new one's does
    expect((await login("replacer@example.com", "replacer password", codeNow(first, 1))).status).toBe(401);
    expect((await login("replacer@example.com", "replacer password", codeNow(secret, 1))).status).toBe(200);
  });

  test("the current-password check in the profile is throttled like a sign-in", async () => {
    const cookie = await newUser("guessed@example.com", "viewer", "the real password");
    for (let i = 0; i < 5; i++) {
      expect((await as(cookie)("POST", "/api/me/password", { current: `guess ${i} password`, password: "taken over 123" })).status).toBe(403);
    }
    const blocked = await as(cookie)("POST", "/api/me/password", { current: "the real password", password: "taken over 123" });
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get("retry-after")).not.toBeNull();
    expect((await as(cookie)("POST", "/api/me/totp", { password: "the real password" })).status).toBe(429); // the same count
  });

  test("a password change ends a reset link still open; API tokens stay", async () => {
    const cookie = await newUser("changer@example.com", "viewer", "changer password 1");
    const token = (await (await as(cookie)("POST", "/api/me/tokens", { name: "cron job" })).json()).token;
    await request(server.url, "POST", "/api/auth/forgot", { email: "changer@example.com" });
    const link = linkIn(await mailTo("changer@example.com", /Reset/))!;
    expect((await as(cookie)("POST", "/api/me/password", { current: "changer password 1", password: "changer password 2" })).status).toBe(200);
    expect((await setPassword(link, "attacker password 3")).status).toBe(400);
    expect((await login("changer@example.com", "changer password 2")).status).toBe(200);
    expect((await request(server.url, "GET", "/api/me", undefined, { authorization: `Bearer ${token}` })).status).toBe(200);
  });
});

describe("user administration", () => {
  test("a disabled user's token and sessions stop working at once", async () => {
    const cookie = await newUser("leaver@example.com", "admin");
    const token = (await (await as(cookie)("POST", "/api/me/tokens", { name: "ci" })).json()).token;
    const bearer = () => request(server.url, "GET", "/api/me", undefined, { authorization: `Bearer ${token}` });
    expect((await bearer()).status).toBe(200);
    const id = (await (await admin("GET", "/api/users")).json()).find((u: any) => u.email === "leaver@example.com").id;
    expect((await admin("PATCH", `/api/users/${id}`, { disabled: true })).status).toBe(200);
    expect((await bearer()).status).toBe(401);
    expect((await as(cookie)("GET", "/api/me")).status).toBe(401);
    expect((await login("leaver@example.com", "user password 123")).status).toBe(401);
    expect((await admin("DELETE", `/api/users/${id}`)).status).toBe(204);
  });

  test("the last active admin can be neither demoted, disabled nor deleted", async () => {
    const users = await (await admin("GET", "/api/users")).json();
    const me = users.find((u: any) => u.email === ADMIN);
    const others = users.filter((u: any) => u.role === "admin" && u.status === "active" && u.email !== ADMIN);
    for (const o of others) await admin("PATCH", `/api/users/${o.id}`, { role: "viewer" });
    expect((await admin("PATCH", `/api/users/${me.id}`, { role: "viewer" })).status).toBe(409);
    expect((await admin("PATCH", `/api/users/${me.id}`, { disabled: true })).status).toBe(409);
    expect((await admin("DELETE", `/api/users/${me.id}`)).status).toBe(409);
    expect(((await (await admin("GET", "/api/me")).json()) as any).role).toBe("admin");
  });
});

describe("failure alerts", () => {
  test("opted-in active users get one mail per failed run with the step, exit code, masked tail and link", async () => {
    await admin("PATCH", "/api/me", { alerts: true });
    const quiet = await newUser("quiet@example.com", "viewer");
    expect((await as(quiet)("GET", "/api/me")).status).toBe(200);
    await admin("POST", "/api/variables", { key: "ALERT_SECRET", value: "s3cr3t-in-log", secret: true });
    const script = 'for i in $(seq 1 30); do echo "line $i"; done; echo "token=$ALERT_SECRET"; exit 3';
    await admin("POST", "/api/tasks", { name: "breaks", steps: [{ name: "ok", command: "true" }, { name: "boom", command: "bash", args: ["-c", script] }] });
    const run = await (await admin("POST", "/api/tasks/breaks/runs")).json();
    const mail = await mailTo(ADMIN, /breaks failed/);
    expect(mail.text).toContain('step "boom" exit code 3');
    expect(mail.text).toContain("line 30");
    expect(mail.text).not.toContain("line 11\n");
    expect(mail.text).toContain("token=***");
    expect(mail.text).not.toContain("s3cr3t-in-log");
    expect(mail.text).toContain(`${server.url}/runs/${run.id}`);
    await server.waitForLine(new RegExp(`run ${run.id} of breaks ended failed`));
    expect(smtp.mails.filter((m) => /breaks failed/.test(m.subject)).map((m) => m.to)).toEqual([[ADMIN]]);
  });
});

describe("audit", () => {
  test("logins, failed logins and changes are recorded, never a secret or a password", async () => {
    const entries = await (await admin("GET", "/api/audit?limit=500")).json();
    const actions = new Set(entries.map((e: any) => e.action));
    for (const a of ["login", "login.failed", "user.invite", "user.set_password", "task.create", "run.trigger", "variable.create", "totp.enable", "user.disable"]) {
      expect([a, actions.has(a)]).toEqual([a, true]);
    }
    const text = JSON.stringify(entries);
    for (const secret of ["s3cr3t-in-log", PASSWORD, "user password 123", "the right password"]) expect(text).not.toContain(secret);
  });
});

describe("command line recovery", () => {
  test("reset-password prints a working link while the server runs, and fails for an unknown address", async () => {
    const env = { LIGHTFLOW_DATA_DIR: server.dir, LIGHTFLOW_BASE_URL: server.url };
    const ok = await runCli(["reset-password", "v1@example.com"], env);
    expect(ok.code).toBe(0);
    const link = ok.out.trim();
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/set-password#token=[\w-]+$/);
    expect((await setPassword(link, "recovered password"))
      .status).toBe(200);
    const bad = await runCli(["reset-password", "ghost@example.com"], env);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("no account with the e-mail address ghost@example.com");
  });
});
