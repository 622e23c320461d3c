// The Settings page's crontab paste box in a real Chromium against the real
// server: a preview (dry run) that writes nothing, the import, and a second
// preview that finds nothing left to import.
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
