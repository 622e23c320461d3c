// The web UI in a real Chromium against the real server, from the first start
// on: the first-run button and the set-password link, a task made in the
// editor, run from the grid and followed live to green, its log, a failed box
// that opens at the failing line, what a viewer sees, a phone, the keyboard.
// Every page must run without an error or a CSP violation in the console.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { linkFor, request, tokenOfLink } from "./helpers/api.ts";
import { startServer, type ServerProcess } from "./helpers/server.ts";
import { ensureUi, launch, PHONE, signedIn, watchedPages } from "./helpers/ui.ts";

const ADMIN = "first.admin@example.com";
const PASSWORD = "a long enough password";
const VIEWER = "viewer@example.com";
/** per test: the preload's default timeout does not reach every test file */
const T = 30_000;

let server: ServerProcess;
let browser: Browser;
let admin: BrowserContext;
let cookie = "";

/** A page whose errors and CSP violations fail the test it is used in. */
const open = watchedPages(() => server.url);

/** The API as the signed-in admin (the browser's session cookie; no Origin, like curl). */
async function call(method: string, path: string, body?: unknown): Promise<any> {
  const res = await request(server.url, method, path, body, { cookie });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const ended = (run: number) => server.waitForLine(new RegExp(`run ${run} of \\S+ ended `));
/** A step box by the start of its accessible name ("Run 3, step 1 wait: timed out" matches ", SIGTERM" after it). */
const box = (page: Page, label: string) => page.locator(`a.box[aria-label^="${label}"]`).first();

beforeAll(async () => {
  await ensureUi();
  [server, browser] = await Promise.all([startServer({ env: { LIGHTFLOW_ADMIN_EMAIL: ADMIN } }), launch()]);
  admin = await browser.newContext({ viewport: { width: 1280, height: 800 } });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (server) {
    await server.stop();
    server.cleanup();
  }
});


describe("the UI from the first start", () => {
  test("first run: the login page sends the setup link, the link sets the password and signs in", async () => {
    const page = await open(admin, "/");
    await page.waitForURL(/\/login$/);
    await page.getByRole("button", { name: "First run? Send admin setup link" }).click();
    await page.getByText("A setup link was sent").waitFor();

    const link = await linkFor(server, ADMIN);
    expect(link).toContain("/set-password#token=");
    await page.goto(link);
    // the token is taken out of the address bar at once
    await page.getByRole("heading", { name: "Set your password" }).waitFor();
    expect(new URL(page.url()).hash).toBe("");
    await page.getByLabel("New password").fill(PASSWORD);
    await page.getByLabel("Again").fill(PASSWORD);
    await page.getByRole("button", { name: "Set password" }).click();

    await page.getByRole("heading", { name: "Tasks" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/");
    await page.getByText("No tasks yet").waitFor();
    await page.getByRole("link", { name: ADMIN }).waitFor();
    cookie = `lightflow_session=${(await admin.cookies()).find((c) => c.name === "lightflow_session")!.value}`;
    // the link worked once
    const again = await request(server.url, "POST", "/api/auth/set-password", { token: tokenOfLink(link), password: PASSWORD });
    expect(again.status).toBe(400);
  }, T);

  test("the editor: CRON preview as you type, field errors from the API beside the field, reorder, save", async () => {
    const page = await open(admin, "/");
    await page.getByRole("link", { name: "New task" }).click();
    await page.getByRole("heading", { name: "New task" }).waitFor();
    await page.getByLabel("Name", { exact: true }).first().fill("hello");
    await page.getByLabel("Description").fill("Says hello, then skips.");

    const cron = page.getByLabel("Schedule (CRON)");
    await cron.fill("*/5 * * * *");
    await page.getByText("Every 5 minutes").waitFor();
    await page.waitForFunction(() => document.querySelectorAll(".fire-times li").length === 5);
    await expectText(page.locator(".fire-times"), /UTC|in \d+ min|in under a minute/);
    await cron.fill("0 0 31 2 *"); // never fires: the server says so
    await page.locator(".field.invalid .error-text").filter({ hasText: /never|no fire|does not/i }).waitFor();
    await cron.fill("0 3 * * *");
    await page.getByText("At 03:00, every day").waitFor();
    await page.waitForFunction(() => document.querySelectorAll(".fire-times li").length === 5);

    const step1 = page.getByRole("group", { name: "Step 1" });
    await step1.getByLabel("Name").fill("greet");
    await step1.getByLabel("Command").fill("bash");
    // prints in colour, then waits for the test to let it finish (a file "go" in the scripts directory)
    await step1
      .getByLabel("Arguments")
      .fill(`-c 'printf "\\e[32mgreen text\\e[0m\\n"; echo "line two"; while [ ! -e go ]; do sleep 0.05; done; echo done'`);
    await page.getByRole("button", { name: "+ Add a step" }).click();
    const step2 = page.getByRole("group", { name: "Step 2" });
    await step2.getByLabel("Name").fill("skip");
    await step2.getByLabel("Runs").selectOption("always");
    await step2.getByLabel("Timeout (seconds)").fill("60");

    // no command in step 2: the API names the field, the editor shows it beside it
    await page.getByRole("button", { name: "Create task" }).click();
    await step2.locator(".field.invalid").filter({ has: page.getByLabel("Command") }).waitFor();
    expect(await step2.getByLabel("Command").getAttribute("aria-invalid")).toBe("true");
    await step2.getByLabel("Command").fill("bash");
    await step2.getByLabel("Arguments").fill("-c 'exit 75'");

    // reorder and back
    await page.getByRole("button", { name: "Move step 2 up" }).click();
    expect(await step1.getByLabel("Name").inputValue()).toBe("skip");
    await page.getByRole("button", { name: "Move step 1 down" }).click();
    expect(await step1.getByLabel("Name").inputValue()).toBe("greet");

    await page.getByRole("button", { name: "Create task" }).click();
    await page.getByRole("heading", { name: "hello", level: 1 }).waitFor();
    await page.getByText("Says hello, then skips.").waitFor();
    const task = await call("GET", "/api/tasks/hello");
    expect(task.cron).toBe("0 3 * * *");
    expect(task.steps).toMatchObject([
      { name: "greet", command: "bash", run_rule: "on_success", timeout_s: 3600 },
      { name: "skip", command: "bash", args: ["-c", "exit 75"], run_rule: "always", timeout_s: 60 },
    ]);
    expect(task.steps[0].args).toEqual(["-c", expect.stringContaining("green text")]);
  }, T);

  test("Run now on the grid: the boxes run, then turn green and grey live; the log shows colours and searches", async () => {
    const page = await open(admin, "/");
    // the next fire time in the server's zone, and relative
    await expectText(page.locator("th.pin", { hasText: "hello" }), /Next (today|tomorrow) 0?3:00( AM)? \(in (\d+ (h|min)|under a minute)\)/);
    await page.getByRole("button", { name: "Run hello now" }).click();
    const running = box(page, "Run 1, step 1 greet: running");
    await running.waitFor();
    expect(await running.getAttribute("class")).toContain("s-running");
    await box(page, "Run 1, step 2 skip: pending").waitFor();

    writeFileSync(join(server.dir, "scripts", "go"), "");
    await box(page, "Run 1, step 1 greet: success").waitFor();
    await box(page, "Run 1, step 2 skip: skipped").waitFor();
    await ended(1);

    await box(page, "Run 1, step 1 greet: success").click();
    await page.waitForURL(/\/tasks\/hello\?run=1&step=1$/);
    const log = page.getByRole("region", { name: "Log of step greet" });
    await log.getByText("green text").waitFor();
    expect(await log.locator(".a-f2", { hasText: "green text" }).count()).toBe(1);
    await log.getByText("line two").waitFor();
    await page.getByRole("status").filter({ hasText: "Complete" }).waitFor();
    // the runs list has the duration
    await expectText(page.locator(".runs-table tbody tr").first(), /\d+ (ms|s)/);

    await page.getByRole("searchbox", { name: "Search the loaded log" }).fill("TWO");
    await page.getByText("1 of 1").waitFor();
    expect(await log.locator("mark").innerText()).toBe("two");

    const href = await page.getByRole("link", { name: "Download" }).getAttribute("href");
    const text = await (await page.request.get(server.url + href)).text();
    expect(text).toContain("green text");
  }, T);

  test("failures: a failed box opens its log at the failing line; timed out and cancelled look different", async () => {
    await call("POST", "/api/tasks", {
      name: "broken",
      steps: [
        { name: "work", command: "bash", args: ["-c", 'for i in $(seq 1 400); do echo "working $i"; done; echo "Error: disk full" >&2; echo "bye"; exit 3'] },
        { name: "never", command: "true" },
        { name: "cleanup", command: "true", run_rule: "always" },
      ],
    });
    await call("POST", "/api/tasks", { name: "slow", steps: [{ name: "wait", command: "sleep", args: ["30"], timeout_s: 1 }] });
    await call("POST", "/api/tasks", { name: "stuck", steps: [{ name: "hang", command: "sleep", args: ["30"] }] });
    const page = await open(admin, "/");
    const broken = (await call("POST", "/api/tasks/broken/runs")).id;
    const slow = (await call("POST", "/api/tasks/slow/runs")).id;
    await Promise.all([ended(broken), ended(slow)]);

    const failed = box(page, `Run ${broken}, step 1 work: failed, exit 3`);
    await failed.waitFor();
    await box(page, `Run ${broken}, step 2 never: not run`).waitFor();
    await box(page, `Run ${broken}, step 3 cleanup: success`).waitFor();
    const timedOut = box(page, `Run ${slow}, step 1 wait: timed out`);
    await timedOut.waitFor();
    expect(await timedOut.getAttribute("class")).toContain("s-timed_out");

    // cancel from the task page, with a confirmation
    await page.getByRole("button", { name: "Run stuck now" }).click();
    const hang = page.locator('a.box[aria-label$="step 1 hang: running"]').first();
    await hang.click();
    await page.getByRole("button", { name: "Cancel run" }).click();
    await page.getByRole("button", { name: "Yes, cancel it" }).click();
    const cancelled = page.locator('a.box[aria-label$="step 1 hang: cancelled"]').first();
    await cancelled.waitFor();
    expect(await cancelled.getAttribute("class")).toContain("s-cancelled");

    // three reds that differ: class, glyph and words
    await page.goto(server.url + "/");
    const glyphs = await Promise.all(
      ["s-failed", "s-timed_out", "s-cancelled"].map((c) =>
        page.locator(`.grid a.box.${c}`).first().evaluate((el) => getComputedStyle(el, "::after").content),
      ),
    );
    expect(new Set(glyphs).size).toBe(3);

    await box(page, `Run ${broken}, step 1 work: failed, exit 3`).click();
    await page.waitForURL(new RegExp(`run=${broken}&step=1$`));
    const line = page.locator(".log-body .ln.fail");
    await line.waitFor();
    expect(await line.innerText()).toContain("Error: disk full");
    // scrolled to it, inside the log box
    const inView = await line.evaluate((el) => {
      const body = el.closest(".log-body")!.getBoundingClientRect();
      const r = el.getBoundingClientRect();
      return r.top >= body.top && r.bottom <= body.bottom && el.closest(".log-body")!.scrollTop > 0;
    });
    expect(inView).toBe(true);
  }, T);

  test("a viewer signs in on the login page and sees no admin controls", async () => {
    const mark = server.output().length;
    await call("POST", "/api/users", { email: VIEWER, role: "viewer" });
    const token = tokenOfLink(await linkFor(server, VIEWER, mark));
    expect((await request(server.url, "POST", "/api/auth/set-password", { token, password: PASSWORD })).status).toBe(200);

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await open(context, "/tasks/hello");
      await page.waitForURL(/\/login\?next=/);
      expect(await page.getByRole("button", { name: /First run/ }).count()).toBe(0); // an admin is active
      // forgot password: one answer whatever the address
      await page.getByRole("button", { name: "Forgot password?" }).click();
      await page.getByLabel("Your e-mail").fill(VIEWER);
      await page.getByRole("button", { name: "Send a reset link" }).click();
      await page.getByText("If an account uses this address").waitFor();
      await page.getByLabel("E-mail", { exact: true }).fill(VIEWER);
      await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("heading", { name: "hello", level: 1 }).waitFor(); // back where it was heading

      const nav = await page.getByRole("navigation", { name: "Main" }).innerText();
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Tasks" }).click();
      await page.locator(".grid").waitFor();
      for (const word of ["Tasks", "Pools", "Variables", "About"]) expect(nav).toContain(word);
      for (const word of ["Scripts", "Packages", "Users", "Audit"]) expect(nav).not.toContain(word);
      const none = async (p: Page) => {
        expect(await p.getByRole("button", { name: /Run .* now|Cancel run|Delete|Replace|Edit/ }).count()).toBe(0);
        expect(await p.getByRole("switch").count()).toBe(0);
        expect(await p.getByRole("link", { name: /New task|Edit/ }).count()).toBe(0);
      };
      await page.locator("a.box").first().waitFor();
      await none(page);

      await page.getByRole("link", { name: "hello" }).click();
      await page.getByRole("heading", { name: "hello", level: 1 }).waitFor();
      await page.getByRole("region", { name: /Log of step/ }).waitFor();
      await none(page);

      await call("POST", "/api/variables", { key: "PLAIN", value: "shown", secret: false });
      await call("POST", "/api/variables", { key: "TOKEN", value: "hidden-secret", secret: true });
      await page.goto(server.url + "/variables");
      await page.getByText("shown", { exact: true }).waitFor();
      expect(await page.content()).not.toContain("hidden-secret");
      await none(page);
      expect(await page.getByRole("button", { name: "Add variable" }).count()).toBe(0);

      await page.goto(server.url + "/tasks/hello/edit");
      await page.getByRole("heading", { name: "Admins only" }).waitFor();
      // the link of a failure e-mail
      await page.goto(server.url + "/runs/1");
      await page.waitForURL(/\/tasks\/hello\?run=1$/);
      await page.getByRole("heading", { name: /Run #1/ }).waitFor();
    } finally {
      await context.close();
    }
  }, T);

  test("a secret variable is replaced, never shown", async () => {
    const page = await open(admin, "/variables");
    await page.getByText("TOKEN", { exact: true }).waitFor();
    expect(await page.content()).not.toContain("hidden-secret");
    const row = page.locator("li.var", { hasText: "TOKEN" });
    expect(await row.getByRole("button", { name: "Edit" }).count()).toBe(0);
    await row.getByRole("button", { name: "Replace" }).click();
    expect(await row.getByLabel("New value for TOKEN").inputValue()).toBe("");
  }, T);

  test("on a phone the grid scrolls sideways with the task names pinned, and the menu opens with a tap", async () => {
    await call("POST", "/api/tasks", { name: "many", cron: "*/10 * * * *", steps: ["a", "b", "c", "d"].map((name) => ({ name, command: "true" })) });
    for (let i = 0; i < 8; i++) await ended((await call("POST", "/api/tasks/many/runs")).id);

    const phone = await signedIn(browser, server.url, cookie, PHONE);
    try {
      const page = await open(phone, "/");
      await page.locator(".grid a.box").first().waitFor();
      const layout = await page.evaluate(() => {
        const scroller = document.querySelector<HTMLElement>(".grid-scroll")!;
        return { page: document.documentElement.scrollWidth, inner: scroller.scrollWidth, outer: scroller.clientWidth };
      });
      expect(layout.page).toBeLessThanOrEqual(390); // the page itself never scrolls sideways
      expect(layout.inner).toBeGreaterThan(layout.outer); // the grid does
      const name = page.getByRole("link", { name: "many", exact: true });
      const before = (await name.boundingBox())!;
      await page.locator(".grid-scroll").evaluate((el) => (el.scrollLeft = el.scrollWidth));
      await page.waitForFunction(() => document.querySelector(".grid-scroll")!.scrollLeft > 0);
      const after = (await name.boundingBox())!;
      expect(after.x).toBe(before.x); // pinned
      // every run box is a real link with its status in words (nothing needs hover)
      const labels = await page.locator(".grid a.box").evaluateAll((els) => els.map((e) => e.getAttribute("aria-label") ?? ""));
      expect(labels.every((l) => /: (success|skipped|failed|timed out|cancelled|running|pending|not run)/.test(l))).toBe(true);

      expect(await page.getByRole("link", { name: "Pools" }).isVisible()).toBe(false);
      await page.getByRole("button", { name: "Menu" }).click();
      await page.getByRole("link", { name: "Pools" }).click();
      await page.getByRole("heading", { name: "Pools" }).waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    } finally {
      await phone.close();
    }
  }, T);

  test("keyboard: a skip link, visible focus, and a box opens its run with Enter; dark theme follows the system", async () => {
    const page = await open(admin, "/");
    await page.locator(".grid a.box").first().waitFor();
    await page.keyboard.press("Tab");
    const skip = page.getByRole("link", { name: "Skip to content" });
    expect(await skip.evaluate((el) => el === document.activeElement && el.getBoundingClientRect().left >= 0)).toBe(true);
    // Tab on until a step box has the focus: it shows an outline, and Enter opens it
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press("Tab");
      if (await page.evaluate(() => document.activeElement?.classList.contains("box"))) break;
    }
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      return { label: el.getAttribute("aria-label"), outline: getComputedStyle(el).outlineStyle };
    });
    expect(focused.label).toMatch(/^Run \d+, step \d+ /);
    expect(focused.outline).not.toBe("none");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/tasks\/\w+\?run=\d+&step=\d+$/);

    const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.emulateMedia({ colorScheme: "dark" });
    const dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(dark).not.toBe(light);
  }, T);
});

async function expectText(locator: ReturnType<Page["locator"]>, re: RegExp) {
  await locator.waitFor();
  expect(await locator.innerText()).toMatch(re);
}
