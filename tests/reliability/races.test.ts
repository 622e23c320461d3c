// Every "once" rule, raced: the same request sent many times at once must get
// the rule's one answer, not one per request that slipped past a check before
// another request's write. Throttles count before the slow hash; a TOTP step,
// a link and a mail per minute are taken in one atomic step.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { totpCode } from "../../server/auth/totp.ts";
import { cookieOf, request, sendPreviousTotpCode, tokenOfLink } from "../helpers/api.ts";
import { startServer, type ServerProcess } from "../helpers/server.ts";
import { linkIn, smtpEnv, startSmtp, type Smtp } from "../helpers/smtp.ts";

const ADMIN = "racer@example.com";
const PASSWORD = "a long racing password";

let smtp: Smtp;
let server: ServerProcess;
let admin: string; // cookie

const post = (path: string, body?: unknown, headers: Record<string, string> = {}) => request(server.url, "POST", path, body, headers);
const at = <T>(n: number, f: (i: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, i) => f(i)));
const count = (statuses: number[]) => statuses.reduce<Record<number, number>>((c, s) => ((c[s] = (c[s] ?? 0) + 1), c), {});
const mailsTo = (to: string, subject: RegExp) => smtp.mails.filter((m) => m.to.includes(to) && subject.test(m.subject)).length;

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

/** Marks the mail queue: an invitation sent after `f` proves every mail `f` caused went out first (mail is sent in order). */
async function afterMailOf(f: () => Promise<unknown>, marker: string): Promise<void> {
  await f();
  expect((await post("/api/users", { email: marker, role: "viewer" }, { cookie: admin })).status).toBe(201);
  await smtp.next((m) => m.to.includes(marker));
}

describe("once, however many ask at once", () => {
  test("30 setup-link requests at once send one mail; the rest are told to wait", async () => {
    const statuses = (await at(30, () => post("/api/auth/setup-link"))).map((r) => r.status);
    expect(count(statuses)).toEqual({ 202: 1, 429: 29 });
    const mail = await smtp.next((m) => m.to.includes(ADMIN));
    // the one link works, once, raced too
    const tries = await at(5, () => post("/api/auth/set-password", { token: tokenOfLink(linkIn(mail)!), password: PASSWORD }));
    expect(count(tries.map((r) => r.status))).toEqual({ 200: 1, 400: 4 });
    admin = cookieOf(tries.find((r) => r.status === 200)!);
    await afterMailOf(async () => {}, "marker1@example.com");
    expect(mailsTo(ADMIN, /./)).toBe(1);
  });

  test("40 wrong passwords at once for one account get 5 password checks, not 40", async () => {
    expect((await post("/api/users", { email: "victim@example.com", role: "viewer" }, { cookie: admin })).status).toBe(201);
    const invite = await smtp.next((m) => m.to.includes("victim@example.com"));
    expect((await post("/api/auth/set-password", { token: tokenOfLink(linkIn(invite)!), password: "victim password 1" })).status).toBe(200);
    const statuses = (await at(40, (i) => post("/api/auth/login", { email: "victim@example.com", password: `guess number ${i}` }))).map((r) => r.status);
    // 401 is a real check of a guess; 429 turned away before any hash
    expect(count(statuses)).toEqual({ 401: 5, 429: 35 });
  });

  test("one TOTP code sent 6 times at once signs in once", async () => {
    expect((await post("/api/users", { email: "totp@example.com", role: "viewer" }, { cookie: admin })).status).toBe(201);
    const invite = await smtp.next((m) => m.to.includes("totp@example.com"));
    const set = await post("/api/auth/set-password", { token: tokenOfLink(linkIn(invite)!), password: "totp password 1" });
    const cookie = cookieOf(set);
    const { secret } = await (await post("/api/me/totp", { password: "totp password 1" }, { cookie })).json();
    // the enrolment takes the previous step's code, leaving the current and the next step's
    expect((await sendPreviousTotpCode(secret, (code) => post("/api/me/totp/confirm", { code }, { cookie }))).status).toBe(200);
    const code = totpCode(secret, Date.now());
    const statuses = (await at(6, () => post("/api/auth/login", { email: "totp@example.com", password: "totp password 1", totp: code }))).map((r) => r.status);
    // one signs in; the others find the code used (401), or the account's five attempts in flight (429)
    expect(statuses.filter((s) => s === 200).length).toBe(1);
    expect(statuses.every((s) => s === 200 || s === 401 || s === 429)).toBe(true);
    // and a code used to turn the factor off is used up too
    const next = totpCode(secret, Date.now() + 30_000);
    const off = await at(4, () => request(server.url, "DELETE", "/api/me/totp", { code: next }, { cookie }));
    // one turns it off; the others find it off (409) or their code used (422)
    expect(off.filter((r) => r.status === 204).length).toBe(1);
    expect(off.every((r) => [204, 409, 422].includes(r.status))).toBe(true);
  });

  test("20 reset requests at once send one mail", async () => {
    await afterMailOf(() => at(20, () => post("/api/auth/forgot", { email: "victim@example.com" })), "marker2@example.com");
    expect(mailsTo("victim@example.com", /Reset/)).toBe(1);
  });
});
