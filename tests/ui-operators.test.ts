// Issue 19's pages in a real Chromium against the real server: the Settings
// page's crontab paste box (a preview that writes nothing, the import, a
// second preview with nothing left to import) and the editor's run_as field.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser, BrowserContext } from "playwright-core";
import { startApi, type Api } from "./helpers/api.ts";
import { axeViolations, ensureUi, launch, signedIn, watchedPages } from "./helpers/ui.ts";

let api: Api;
let browser: Browser;
let admin: BrowserContext;
const open = watchedPages(() => api.url);

beforeAll(async () => {
  await ensureUi();
  [api, browser] = await Promise.all([startApi(), launch()]);
  admin = await signedIn(browser, api.url, api.cookie);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
});

/** the user this test (and the server it starts) runs as: the one run_as a server always accepts */
const me = Bun.spawnSync(["id", "-un"]).stdout.toString().trim();

const CRONTAB = "MAILTO=ops@example.com\n# rotate the app's logs\n15 3 * * 1-5 /usr/local/bin/rotate-logs --keep 7\n@reboot /usr/local/bin/tunnel\n";

test("a pasted crontab is previewed line by line, imported, and a second preview finds nothing new", async () => {
  const page = await open(admin, "/settings");
  const card = page.locator("section.card", { has: page.getByRole("heading", { name: "Import a crontab" }) });
  await card.getByLabel("Crontab (the output of crontab -l, or a file of /etc/cron.d)").fill(CRONTAB);
  await card.getByLabel("Name prefix (optional)").fill("ui");
  await card.getByRole("button", { name: "Preview" }).click();
  const plan = card.locator(".import-plan");
  await plan.getByRole("heading", { name: "What importing this crontab would do" }).waitFor();
  const lines = plan.locator("li.change");
  expect(await lines.nth(0).innerText()).toMatch(/line 3\s+ui-rotate-logs\s+will be created[\s\S]*15 3 \* \* 1-5\s+\/usr\/local\/bin\/rotate-logs --keep 7/);
  expect(await lines.nth(1).innerText()).toMatch(/line 4\s+not imported[\s\S]*@reboot runs once when the machine starts/);
  expect(await axeViolations(page)).toEqual([]);
  expect((await api.json("GET", "/api/tasks/ui-rotate-logs")).status).toBe(404);

  await plan.getByRole("button", { name: "Import 1 task" }).click();
  await plan.getByRole("heading", { name: "Imported" }).waitFor();
  expect(await lines.nth(0).locator(".change-action").innerText()).toBe("created");
  expect((await api.json("GET", "/api/tasks/ui-rotate-logs")).body).toMatchObject({ cron: "15 3 * * 1-5", alert_emails: ["ops@example.com"] });

  await card.getByRole("button", { name: "Preview" }).click();
  await plan.getByText("Nothing to import.").waitFor();
  expect(await lines.nth(0).innerText()).toMatch(/ui-rotate-logs\s+exists already/);
}, 60_000);

test("the editor sets the task's run_as, shows the API's refusal beside the field, and keeps a step's own", async () => {
  const made = await api.json("POST", "/api/tasks", { name: "as-someone", steps: [{ name: "main", command: "true", run_as: me }] });
  expect(made.status).toBe(201);
  const page = await open(admin, "/tasks/as-someone/edit");
  const field = page.getByLabel("Run as (Unix user)");
  await field.waitFor();
  expect(await field.inputValue()).toBe("");
  await page.getByText("1 step(s) name their own user.").waitFor();
  await field.fill("lf-nobody-by-that-name");
  await page.getByRole("button", { name: "Save" }).click();
  await page.locator(".field.invalid .error-text").filter({ hasText: 'run_as: no user named "lf-nobody-by-that-name"' }).waitFor();
  expect(await field.getAttribute("aria-invalid")).toBe("true");
  await field.fill(me);
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(/\/tasks\/as-someone$/);
  const saved = (await api.json("GET", "/api/tasks/as-someone")).body;
  expect([saved.run_as, saved.steps[0].run_as]).toEqual([me, me]);
}, 60_000);
