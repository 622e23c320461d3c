// The "beyond cron" features in a real Chromium against the real server:
// retries and alerts in the editor, a step tried again (its "×2" and the log
// of each attempt), a step waiting between attempts, the runs list's filters
// and the chart of durations, the CRON preview's DST notes, and the Settings
// page (webhook, backups, tasks as code, metrics) that viewers never see.
// The server runs in Europe/Berlin, which has DST changes. Every page must run
// without an error or a CSP violation in the console.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { runEnded, startApi, type Api } from "./helpers/api.ts";
import { ensureUi, launch, PHONE, signedIn, watchedPages } from "./helpers/ui.ts";

const T = 30_000;

let api: Api;
let browser: Browser;
let admin: BrowserContext;

const openIn = watchedPages(() => api.url);
const open = (path: string, context = admin) => openIn(context, path);

/** Creates a task through the API; throws with the server's answer if refused. */
async function task(body: Record<string, unknown>) {
  const r = await api.json("POST", "/api/tasks", body);
  if (r.status !== 201) throw new Error(`POST /api/tasks: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Runs a task once, to its end. */
async function runOnce(name: string) {
  const run = (await api.json("POST", `/api/tasks/${name}/runs`)).body;
  return runEnded(api, run.id);
}

/** The field (its wrapper) under `scope` whose control is labelled `label` (the inner locator is relative to each .field). */
const fieldOf = (scope: Page | Locator, page: Page, label: string) => scope.locator(".field", { has: page.getByLabel(label, { exact: true }) });

beforeAll(async () => {
  await ensureUi();
  [api, browser] = await Promise.all([startApi({ env: { LIGHTFLOW_TIMEZONE: "Europe/Berlin" } }), launch()]);
  admin = await signedIn(browser, api.url, api.cookie);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
});


describe("the task editor", () => {
  test("retries, their delay, a start deadline and alert addresses are saved, with the API's field errors beside their fields", async () => {
    await task({ name: "edited", steps: [{ name: "main", command: "true" }] });
    const page = await open("/tasks/edited/edit");
    const step = page.getByRole("group", { name: "Step 1" });
    const retries = step.getByLabel("Retries");
    await retries.waitFor();
    expect(await retries.inputValue()).toBe("0");
    expect(await step.getByLabel("Delay before a retry (seconds)").inputValue()).toBe("10");
    expect(await page.getByLabel("Start deadline (seconds)").inputValue()).toBe("");

    // out of range: the server refuses it and names steps.0.retries
    await retries.fill("11");
    await page.getByRole("button", { name: "Save" }).click();
    await fieldOf(step, page, "Retries").locator(".error-text").filter({ hasText: "retries" }).waitFor();
    expect(await retries.getAttribute("aria-invalid")).toBe("true");

    await retries.fill("3");
    await step.getByLabel("Delay before a retry (seconds)").fill("45");
    await page.getByLabel("Start deadline (seconds)").fill("600");
    const emails = page.getByLabel("Alert e-mails");
    await emails.fill("ops@example.com, not-an-address");
    await page.getByRole("button", { name: "Save" }).click();
    // alert_emails.1: the message names the address at fault
    await fieldOf(page, page, "Alert e-mails").locator(".error-text").filter({ hasText: "not-an-address" }).waitFor();
    expect(await emails.getAttribute("aria-invalid")).toBe("true");
    expect(await retries.getAttribute("aria-invalid")).toBeNull();

    await emails.fill("ops@example.com,\ndev@example.com");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("heading", { name: "edited", level: 1 }).waitFor();
    const saved = (await api.json("GET", "/api/tasks/edited")).body;
    expect(saved).toMatchObject({ start_deadline_s: 600, alert_emails: ["ops@example.com", "dev@example.com"] });
    expect(saved.steps[0]).toMatchObject({ retries: 3, retry_delay_s: 45 });

    await page.goto(api.url + "/tasks/edited/edit"); // a fresh load: what the server kept
    await retries.waitFor();
    expect(await retries.inputValue()).toBe("3");
    expect(await step.getByLabel("Delay before a retry (seconds)").inputValue()).toBe("45");
    expect(await page.getByLabel("Start deadline (seconds)").inputValue()).toBe("600");
    expect(await emails.inputValue()).toBe("ops@example.com\ndev@example.com");

    // emptied, the deadline is none again
    await page.getByLabel("Start deadline (seconds)").fill("");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("heading", { name: "edited", level: 1 }).waitFor();
    expect((await api.json("GET", "/api/tasks/edited")).body.start_deadline_s).toBeNull();
  }, T);

  test("the CRON preview marks fire times that fall in a DST change", async () => {
    // Sundays of March at 02:30: the next five fires always include the last
    // Sunday of March, when Europe/Berlin skips 02:00-03:00 (whatever today's
    // date: a March has 4 or 5 Sundays, and after March come next year's).
    const page = await open("/tasks/new");
    const cron = page.getByLabel("Schedule (CRON)");
    await cron.fill("30 2 * 3 0");
    await page.waitForFunction(() => document.querySelectorAll(".fire-times li").length === 5);
    const skipped = page.locator(".fire-times li", { has: page.locator(".dst-note") });
    await skipped.first().waitFor();
    expect(await skipped.count()).toBe(1);
    const note = await skipped.locator(".dst-note").innerText();
    expect(note).toStartWith("DST:");
    expect(note).toContain("02:30 does not exist");
    expect(note).toContain("03:00");
    // it is on the last Sunday of March, at 03:00 summer time (01:00 UTC)
    const at = new Date((await skipped.locator("time").getAttribute("datetime"))!);
    expect([at.getUTCMonth(), at.getUTCDay(), at.getUTCHours(), at.getUTCMinutes()]).toEqual([2, 0, 1, 0]);
    expect(at.getUTCDate()).toBeGreaterThanOrEqual(25);

    // and the autumn change: 02:30 comes twice, the schedule runs once
    await cron.fill("30 2 * 10 0");
    await page.locator(".dst-note", { hasText: "happens twice" }).waitFor();
    expect(await page.locator(".dst-note").count()).toBe(1);
    // an ordinary schedule has none
    await cron.fill("0 12 * * *");
    await page.getByText("At 12:00, every day").waitFor();
    await page.waitForFunction(() => document.querySelectorAll(".fire-times li").length === 5 && !document.querySelector(".dst-note"));
  }, T);
});

describe("retries in the grid and the log", () => {
  test("a step that fails once then succeeds shows ×2, and the attempt picker opens the first attempt's log", async () => {
    await task({
      name: "flaky",
      steps: [
        {
          name: "fetch",
          command: "bash",
          // fails the first time in each run (a marker file in the scripts directory), then works
          args: ["-c", 'if [ ! -e "tried-$LIGHTFLOW_RUN_ID" ]; then touch "tried-$LIGHTFLOW_RUN_ID"; echo "first try: connection refused"; exit 1; fi; echo "second try: ok"'],
          retries: 1,
          retry_delay_s: 0,
        },
      ],
    });
    const run = await runOnce("flaky");
    expect(run.status).toBe("success");
    expect(run.steps[0]).toMatchObject({ status: "success", attempt: 2, retries: 1 });

    const page = await open("/");
    const box = page.locator(`a.box[aria-label="Run ${run.id}, step 1 fetch: success, 2nd attempt of 2"]`);
    await box.waitFor();
    expect(await box.getAttribute("title")).toContain("2nd attempt of 2");
    expect(await box.locator(".tries").innerText()).toBe("×2");
    expect(await page.locator(".grid .tries").count()).toBe(1); // only the step tried again

    await box.click();
    await page.waitForURL(new RegExp(`/tasks/flaky\\?run=${run.id}&step=1$`));
    const latest = page.getByRole("region", { name: "Log of step fetch, attempt 2" });
    await latest.getByText("second try: ok").waitFor();
    await page.locator(".steps").getByText("2nd attempt of 2").waitFor();
    const picker = page.getByLabel("Attempt", { exact: true });
    expect(await picker.inputValue()).toBe("2");
    expect(await picker.locator("option").allInnerTexts()).toEqual(["1 of 2 (tried again)", "2 of 2 (latest: success)"]);

    await picker.selectOption("1");
    await page.waitForURL(/attempt=1$/);
    const first = page.getByRole("region", { name: "Log of step fetch, attempt 1" });
    await first.getByText("first try: connection refused").waitFor();
    await first.getByText(/attempt 1 of 2 failed; trying again/).waitFor();
    expect(await first.innerText()).not.toContain("second try");
    await first.locator(".ln.fail").waitFor(); // an earlier attempt failed: it opens at its failing line
    const href = (await page.getByRole("link", { name: "Download" }).getAttribute("href"))!;
    expect(href).toEndWith("?attempt=1");
    const text = await (await page.request.get(api.url + href)).text();
    expect(text).toContain("first try");
    expect(text).not.toContain("second try");

    // back to the latest
    await picker.selectOption("2");
    await latest.getByText("second try: ok").waitFor();
    expect(new URL(page.url()).searchParams.has("attempt")).toBe(false);
  }, T);

  test("a step waiting between attempts is still running; its log says it waits to try again", async () => {
    await task({
      name: "patient",
      steps: [
        {
          name: "poll",
          command: "bash",
          // each attempt fails once the test creates "give-up" in the scripts directory; the log is followed live before that
          args: ["-c", "echo 'not ready yet'; while [ ! -e give-up ]; do sleep 0.05; done; exit 1"],
          retries: 2,
          retry_delay_s: 600,
        },
      ],
    });
    const page = await open("/tasks/patient");
    await page.getByRole("button", { name: "Run patient now" }).click();
    const log = page.getByRole("region", { name: "Log of step poll" });
    await log.getByText("not ready yet").waitFor();
    await page.locator(".log-bar").getByRole("status").filter({ hasText: "Live" }).waitFor();
    writeFileSync(join(api.server.dir, "scripts", "give-up"), "");
    await log.getByText(/attempt 1 of 3 failed; trying again in 600 s/).waitFor();
    await page.locator(".log-bar").getByRole("status").filter({ hasText: "This attempt failed; waiting to try again" }).waitFor();
    const box = page.locator('.runs-table a.box[aria-label$="step 1 poll: running"]');
    await box.waitFor();
    expect(await box.getAttribute("class")).toContain("s-running");

    // a cancel ends the wait at once
    await page.getByRole("button", { name: "Cancel run" }).click();
    await page.getByRole("button", { name: "Yes, cancel it" }).click();
    await page.locator('.runs-table a.box[aria-label*="step 1 poll: cancelled"]').waitFor();
  }, T);
});

describe("the runs list", () => {
  test("the status filter narrows the list and paging goes on through it; the chart has one mark per run", async () => {
    // fails until the file "ok" exists in the scripts directory: 27 failed runs, then 3 successful ones
    await task({ name: "history", steps: [{ name: "check", command: "test", args: ["-e", "ok"] }] });
    for (let i = 0; i < 27; i++) await runOnce("history");
    writeFileSync(join(api.server.dir, "scripts", "ok"), "");
    for (let i = 0; i < 3; i++) await runOnce("history");

    const page = await open("/tasks/history");
    const rows = page.locator(".runs-table tbody tr");
    const marks = page.locator(".chart .mark");
    await page.waitForFunction(() => document.querySelectorAll(".runs-table tbody tr").length === 25);
    expect(await marks.count()).toBe(25); // one per listed run
    expect(await page.locator(".chart .mark .mk-success").count()).toBe(3);
    expect(await page.locator(".chart .mark .mk-failed").count()).toBe(22);
    // a summary of the chart is its accessible name
    expect(await page.getByRole("img", { name: /^Run durations: 25 finished runs/ }).getAttribute("aria-label")).toContain("22 failed");

    const filtered = page.waitForRequest((r) => r.url().includes("/api/tasks/history/runs?") && r.url().includes("status=success"));
    await page.getByRole("checkbox", { name: "success" }).check();
    await filtered;
    await page.waitForFunction(() => document.querySelectorAll(".runs-table tbody tr").length === 3);
    expect(await rows.locator(".badge").allInnerTexts()).toEqual(["success", "success", "success"]);
    expect(await marks.count()).toBe(3);
    expect(await page.getByRole("button", { name: "Older runs" }).count()).toBe(0);

    await page.getByRole("checkbox", { name: "success" }).uncheck();
    await page.getByRole("checkbox", { name: "failed" }).check();
    await page.waitForFunction(() => {
      const badges = [...document.querySelectorAll(".runs-table tbody tr .badge")].map((b) => b.textContent);
      return badges.length === 25 && badges.every((b) => b === "failed");
    });
    // the next page keeps the filter
    await page.getByRole("button", { name: "Older runs" }).click();
    await page.waitForFunction(() => document.querySelectorAll(".runs-table tbody tr").length === 27);
    expect(new Set(await rows.locator(".badge").allInnerTexts())).toEqual(new Set(["failed"]));
    expect(await marks.count()).toBe(27);
    expect(await page.getByRole("button", { name: "Older runs" }).count()).toBe(0);

    // a day range: tomorrow (in the server's zone) has no runs yet
    const tomorrow = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Berlin" }).format(Date.now() + 86_400_000);
    const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Berlin" }).format(Date.now());
    await page.getByLabel("from", { exact: true }).fill(tomorrow);
    await page.getByText("No runs match these filters.").waitFor();
    await page.getByLabel("from", { exact: true }).fill(today);
    await page.getByLabel("to", { exact: true }).fill(today);
    await page.waitForFunction(() => document.querySelectorAll(".runs-table tbody tr").length === 25);

    await page.getByRole("button", { name: "Clear filters" }).click();
    await page.waitForFunction(() => document.querySelectorAll(".runs-table tbody tr .badge").length === 25 && !!document.querySelector(".runs-table .b-success"));
    expect(await page.getByRole("checkbox", { name: "failed" }).isChecked()).toBe(false);

    // a click on a mark opens its run (the oldest listed: not the one shown by default)
    const id = await marks.first().getAttribute("data-run");
    await marks.first().click();
    await page.waitForURL(new RegExp(`run=${id}$`));
    await page.getByRole("heading", { name: `Run #${id}` }).waitFor();
    expect(await marks.first().getAttribute("class")).toContain("sel");
  }, 60_000);

  test("a run that ends while a status filter is on joins the list only if it matches", async () => {
    const page = await open("/tasks/history");
    await page.getByRole("checkbox", { name: "success" }).check();
    await page.waitForFunction(() => document.querySelectorAll(".runs-table tbody tr").length === 3);
    const run = await runOnce("history"); // succeeds: "ok" exists
    await page.locator(".runs-table tbody tr", { hasText: `#${run.id}` }).waitFor();
    expect(await page.locator(".chart .mark").count()).toBe(4);
  }, T);

  test("on a phone the filters and the chart fit the width", async () => {
    const phone = await signedIn(browser, api.url, api.cookie, PHONE);
    try {
      const page = await open("/tasks/history", phone);
      await page.locator(".chart .mark").first().waitFor();
      const sizes = await page.evaluate(() => ({
        page: document.documentElement.scrollWidth,
        chart: document.querySelector(".chart svg")!.getBoundingClientRect().right,
      }));
      expect(sizes.page).toBeLessThanOrEqual(390);
      expect(sizes.chart).toBeLessThanOrEqual(390);
    } finally {
      await phone.close();
    }
  }, T);
});

describe("settings", () => {
  test("the webhook is saved, with the API's error beside the field for a bad URL", async () => {
    const page = await open("/");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
    await page.getByRole("heading", { name: "Settings", level: 1 }).waitFor();
    const url = page.getByLabel("Webhook URL");
    await url.fill("ftp://example.com/hook");
    await page.getByRole("button", { name: "Save" }).click();
    await fieldOf(page, page, "Webhook URL").locator(".error-text").filter({ hasText: "alert_webhook_url" }).waitFor();
    expect(await url.getAttribute("aria-invalid")).toBe("true");

    await url.fill("https://chat.example.com/hooks/lightflow");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Saved: alerts go to this URL too.").waitFor();
    expect(await url.getAttribute("aria-invalid")).toBeNull();
    expect((await api.json("GET", "/api/settings")).body).toEqual({ alert_webhook_url: "https://chat.example.com/hooks/lightflow" });

    await page.reload();
    await page.waitForFunction(() => (document.querySelector("input[type=url]") as HTMLInputElement | null)?.value.startsWith("https://chat"));
    await url.fill("");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Saved: no webhook.").waitFor();
    expect((await api.json("GET", "/api/settings")).body).toEqual({ alert_webhook_url: null });
  }, T);

  test("backups, the export and the metrics are linked; an import shows its changes, then applies them", async () => {
    const page = await open("/settings");
    const db = page.getByRole("link", { name: "Database only (.db)" });
    await db.waitFor();
    expect(await db.getAttribute("href")).toBe("/api/backup");
    expect(await page.getByRole("link", { name: "Database, scripts and logs (.tar)" }).getAttribute("href")).toBe("/api/backup?logs=1");
    const backup = await page.request.get(api.url + "/api/backup");
    expect(backup.headers()["content-type"]).toBe("application/vnd.sqlite3");
    const exportHref = (await page.getByRole("link", { name: "Export" }).getAttribute("href"))!;
    const exported = await (await page.request.get(api.url + exportHref)).json();
    expect(exported.lightflow).toBe(1);
    const metrics = page.locator("section.card", { has: page.getByRole("heading", { name: "Prometheus metrics" }) });
    expect(await metrics.innerText()).toContain(`${api.url}/api/metrics`);
    expect(await metrics.innerText()).toContain("LIGHTFLOW_METRICS_TOKEN");

    const input = page.getByLabel("Setup file to import");
    await input.setInputFiles({ name: "broken.json", mimeType: "application/json", buffer: Buffer.from("{ not json") });
    await page.getByText("broken.json is not a JSON file").waitFor();

    const edited = exported.tasks.find((t: { name: string }) => t.name === "edited");
    const file = {
      lightflow: 1,
      pools: [{ name: "imported_pool", slots: 2 }],
      tasks: [
        { name: "imported", cron: "0 4 * * *", pool: "imported_pool", steps: [{ name: "hello", command: "echo", args: ["hi"] }] },
        { ...edited, description: "changed by the import" },
      ],
    };
    await input.setInputFiles({ name: "setup.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(file)) });
    const plan = page.locator(".import-plan");
    await plan.getByRole("heading", { name: "What importing setup.json would do" }).waitFor();
    const line = (name: string) => plan.locator("li.change", { has: page.locator("strong", { hasText: new RegExp(`^${name}$`) }) });
    expect(await line("imported_pool").innerText()).toMatch(/pool\s+imported_pool\s+will be created/);
    expect(await line("imported").innerText()).toContain("will be created");
    expect(await line("edited").innerText()).toMatch(/will be updated[\s\S]*description/);
    expect(await line("flaky").innerText()).toMatch(/kept[\s\S]*never deletes/);
    expect((await api.json("GET", "/api/tasks/imported")).status).toBe(404); // a dry run changes nothing

    await plan.getByRole("button", { name: "Apply 3 changes" }).click();
    await plan.getByRole("heading", { name: "Imported setup.json" }).waitFor();
    expect(await line("imported").locator(".change-action").innerText()).toBe("created");
    const created = (await api.json("GET", "/api/tasks/imported")).body;
    expect(created).toMatchObject({ cron: "0 4 * * *", pool: "imported_pool" });
    expect((await api.json("GET", "/api/tasks/edited")).body.description).toBe("changed by the import");

    // the grid got it live
    await page.getByRole("link", { name: "Tasks", exact: true }).click();
    await page.getByRole("link", { name: "imported", exact: true }).waitFor();
  }, T);

  test("on a phone the settings fit the width", async () => {
    const phone = await signedIn(browser, api.url, api.cookie, PHONE);
    try {
      const page = await open("/settings", phone);
      await page.getByLabel("Webhook URL").waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    } finally {
      await phone.close();
    }
  }, T);

  test("a viewer sees no Settings: not in the menu, and not at its address", async () => {
    const viewer = await api.user("viewer@example.com", "viewer");
    const context = await signedIn(browser, api.url, viewer.cookie);
    try {
      const page = await open("/", context);
      const nav = page.getByRole("navigation", { name: "Main" });
      await nav.getByRole("link", { name: "Pools" }).waitFor();
      expect(await nav.getByRole("link", { name: "Settings" }).count()).toBe(0);
      await page.goto(api.url + "/settings");
      await page.getByRole("heading", { name: "Admins only" }).waitFor();
      expect(await page.getByLabel("Webhook URL").count()).toBe(0);
      expect((await api.json("GET", "/api/settings", undefined, { authorization: `Bearer ${viewer.token}` })).status).toBe(403);
    } finally {
      await context.close();
    }
  }, T);
});
