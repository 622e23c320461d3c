// The other pages in a real Chromium against the real server: text from
// users and from step output that looks like HTML stays text on every page
// that shows it; the profile (a QR code drawn in the browser, a token shown
// once, then a sign-in that asks for the code); scripts (CodeMirror under
// the CSP) and packages (pip's output over the job WebSocket).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as OTPAuth from "otpauth";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ADMIN_EMAIL, ADMIN_PASSWORD, request, runEnded, startApi, type Api } from "./helpers/api.ts";
import { ensureUi, launch, signedIn, watchedPages } from "./helpers/ui.ts";

const T = 30_000;
/** Every payload sets window.__pwned if it ever runs, and leaves an element behind if it is ever parsed. */
const IMG = `<img src=x onerror="window.__pwned=1">`;
const SCRIPT = `<script>window.__pwned=2</script>`;
const PAYLOAD = `${IMG}${SCRIPT}`;
const HOSTILE_EMAIL = `<svg/onload=window.__pwned=3>@example.com`;

let api: Api;
let browser: Browser;
let admin: BrowserContext;

const open = watchedPages(() => api.url);

/** Nothing from a payload ran, and no element of one exists. */
async function inert(page: Page) {
  const found = await page.evaluate(() => ({
    pwned: (window as unknown as { __pwned?: number }).__pwned,
    elements: document.querySelectorAll('img[src="x"], svg[onload], [onerror], [onload], body script').length,
  }));
  expect(found).toEqual({ pwned: undefined, elements: 0 });
}

beforeAll(async () => {
  await ensureUi();
  // pip gets an index on a closed port: an install fails at once, offline
  const pip = { PIP_INDEX_URL: "http://127.0.0.1:9/simple", PIP_CONFIG_FILE: "/dev/null", PIP_RETRIES: "0", PIP_TIMEOUT: "1", PIP_DISABLE_PIP_VERSION_CHECK: "1" };
  [api, browser] = await Promise.all([startApi({ env: pip }), launch()]);
  admin = await signedIn(browser, api.url, api.cookie);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
});


describe("text that looks like HTML stays text", () => {
  test("in descriptions, log output, variables, token names, scripts, e-mail addresses and the audit log", async () => {
    const created = await api.json("POST", "/api/tasks", {
      name: "xss",
      description: `Backs up ${PAYLOAD}`,
      steps: [{ name: "say", command: "printf", args: ["%s\\n", PAYLOAD, `\x1b[31m${IMG}\x1b[0m done`] }],
    });
    expect(created.status).toBe(201);
    const run = (await api.json("POST", "/api/tasks/xss/runs")).body;
    await runEnded(api, run.id);
    expect((await api.json("POST", "/api/variables", { key: "HTML", value: PAYLOAD, secret: false })).status).toBe(201);
    expect((await api.json("POST", "/api/me/tokens", { name: PAYLOAD })).status).toBe(201);
    expect((await api.call("PUT", "/api/scripts/page.sh", `#!/bin/sh\necho '${PAYLOAD}'\n`)).status).toBe(200);
    expect((await api.json("POST", "/api/users", { email: HOSTILE_EMAIL, role: "viewer" })).status).toBe(201);
    expect((await request(api.url, "POST", "/api/auth/login", { email: HOSTILE_EMAIL, password: "wrong password" })).status).toBe(401);

    const page = await open(admin, "/tasks/xss");
    await page.getByText(`Backs up ${PAYLOAD}`).waitFor();
    const log = page.getByRole("region", { name: "Log of step say" });
    await log.getByText(PAYLOAD).waitFor();
    await log.locator(".a-f1", { hasText: IMG }).waitFor(); // coloured, still text
    await inert(page);

    await page.goto(api.url + "/variables");
    await page.locator("pre.var-value", { hasText: PAYLOAD }).waitFor();
    await inert(page);

    await page.goto(api.url + "/profile");
    await page.locator("li", { hasText: PAYLOAD }).first().waitFor();
    await inert(page);

    await page.goto(api.url + "/users");
    await page.getByRole("rowheader", { name: HOSTILE_EMAIL }).waitFor();
    await inert(page);

    await page.goto(api.url + "/audit");
    await page.getByRole("cell", { name: HOSTILE_EMAIL }).first().waitFor();
    await inert(page);

    await page.goto(api.url + "/scripts?file=page.sh");
    await page.locator(".cm-content").getByText("__pwned=2", { exact: false }).waitFor(); // CodeMirror, under the CSP
    await inert(page);
  }, T);

  test("in the editor: a hostile task name gets the API's error beside the field, a hostile CRON the preview's", async () => {
    const page = await open(admin, "/tasks/xss/edit");
    const name = page.getByLabel("Name", { exact: true }).first();
    await name.waitFor();
    expect(await page.getByLabel("Description").inputValue()).toBe(`Backs up ${PAYLOAD}`);
    await name.fill(IMG);
    await page.getByLabel("Schedule (CRON)").fill(SCRIPT);
    await page.locator(".field.invalid", { has: page.getByLabel("Schedule (CRON)") }).waitFor();
    await page.getByRole("button", { name: "Save" }).click();
    await page.locator(".field.invalid", { has: name }).locator(".error-text").waitFor();
    expect(await name.getAttribute("aria-invalid")).toBe("true");
    await inert(page);
  }, T);
});

describe("profile", () => {
  test("two-factor: the QR code is drawn in the page, and the next sign-in asks for the code", async () => {
    const page = await open(admin, "/profile");
    await page.getByRole("button", { name: "Set up two-factor sign-in" }).click();
    await page.getByLabel("Your password").fill(ADMIN_PASSWORD);
    await page.getByRole("button", { name: "Continue" }).click();
    const qr = page.getByRole("img", { name: "QR code of the two-factor secret" });
    await qr.waitFor();
    expect(await qr.evaluate((el) => el.tagName.toLowerCase() + ":" + (el.querySelector("path")?.getAttribute("d")?.length ?? 0))).toMatch(/^svg:[1-9]\d{2,}/);
    const secret = (await page.locator("code.secret").innerText()).replace(/\s/g, "");
    const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) });
    await page.getByLabel("Code from the app").fill(totp.generate());
    await page.getByRole("button", { name: "Turn on" }).click();
    await page.getByText("Two-factor sign-in is on.").waitFor();

    const context = await browser.newContext();
    try {
      const login = await open(context, "/login");
      await login.getByLabel("E-mail", { exact: true }).fill(ADMIN_EMAIL);
      await login.getByLabel("Password", { exact: true }).fill(ADMIN_PASSWORD);
      await login.getByRole("button", { name: "Sign in" }).click();
      const code = login.getByLabel("Code from your authenticator app");
      await code.waitFor();
      expect(await code.evaluate((el) => el === document.activeElement)).toBe(true);
      // a code is good once: the next step's code (the server takes ±1 step)
      await code.fill(totp.generate({ timestamp: Date.now() + 30_000 }));
      await login.getByRole("button", { name: "Sign in" }).click();
      await login.getByRole("heading", { name: "Tasks" }).waitFor();
    } finally {
      await context.close();
    }
  }, T);

  test("an API token is shown once, with a copy button", async () => {
    await admin.grantPermissions(["clipboard-read", "clipboard-write"], { origin: api.url });
    const page = await open(admin, "/profile");
    await page.getByLabel("New token name").fill("laptop");
    await page.getByRole("button", { name: "Create token" }).click();
    const shown = page.locator(".token-once code");
    await shown.waitFor();
    const token = await shown.innerText();
    expect(token.length).toBeGreaterThan(20);
    await page.locator(".token-once").getByRole("button", { name: "Copy" }).click();
    await page.locator(".token-once").getByRole("button", { name: "Copied" }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
    await page.getByRole("button", { name: "Done" }).click();
    await page.locator("li", { hasText: "laptop" }).waitFor();
    expect(await page.content()).not.toContain(token);
    // and it works
    expect((await request(api.url, "GET", "/api/me", undefined, { authorization: `Bearer ${token}` })).status).toBe(200);
  }, T);

  test("failure alerts can be switched on", async () => {
    const page = await open(admin, "/profile");
    await page.getByRole("switch", { name: "E-mail me when a run fails" }).check();
    await page.waitForFunction(async () => (await (await fetch("/api/me")).json()).alerts === true);
  }, T);
});

describe("the editor's duplicate and delete", () => {
  test("a task is duplicated under a new name, then deleted after a confirmation", async () => {
    await api.json("POST", "/api/tasks", { name: "dupme", cron: "0 5 * * *", steps: [{ name: "one", command: "true" }] });
    const page = await open(admin, "/tasks/dupme/edit");
    await page.getByLabel("Name of the copy").fill("dupme2");
    await page.getByRole("button", { name: "Duplicate" }).click();
    await page.waitForURL(/\/tasks\/dupme2\/edit$/);
    await page.getByRole("heading", { name: "Edit dupme2" }).waitFor();
    await page.getByRole("button", { name: "Delete task" }).click();
    await page.getByText("Delete dupme2 with all its runs and logs?").waitFor();
    await page.getByRole("button", { name: "Yes, delete it" }).click();
    await page.getByRole("heading", { name: "Tasks" }).waitFor();
    await page.getByRole("link", { name: "dupme", exact: true }).waitFor();
    expect(await page.getByRole("link", { name: "dupme2" }).count()).toBe(0);
    expect((await api.json("GET", "/api/tasks/dupme2")).status).toBe(404);
  }, T);
});

describe("scripts and packages", () => {
  test("a script is renamed in the editor page", async () => {
    const page = await open(admin, "/scripts?file=page.sh");
    await page.locator(".cm-content").waitFor();
    await page.getByRole("button", { name: "Rename" }).click();
    await page.getByLabel("New path").fill("tools/page2.sh");
    await page.locator("form.rename").getByRole("button", { name: "Rename" }).click();
    await page.waitForURL(/file=tools%2Fpage2\.sh$/);
    await page.getByRole("button", { name: "page2.sh" }).waitFor();
    expect((await api.json("GET", "/api/scripts")).body.map((f: { path: string }) => f.path)).toContain("tools/page2.sh");
  }, T);

  test("a refused requirement is marked at its field; an install streams pip's output to its end", async () => {
    const page = await open(admin, "/packages");
    const req = page.getByLabel("Requirement");
    await req.fill("--index-url=http://evil/");
    await page.getByRole("button", { name: "Install" }).click();
    await page.locator(".field.invalid", { has: req }).locator(".error-text").waitFor();

    await req.fill("lightflow-nope==1.0");
    await page.getByRole("button", { name: "Install" }).click();
    const job = page.locator("section.job");
    await job.getByRole("heading", { name: "Installing lightflow-nope==1.0" }).waitFor();
    await job.getByRole("status").filter({ hasText: "Failed" }).waitFor({ timeout: 25_000 });
    expect(await job.locator("pre").innerText()).toMatch(/lightflow-nope/i);
    await page.locator("li.job-row", { hasText: "lightflow-nope==1.0" }).getByText("failed").waitFor();
  }, 40_000);
});
